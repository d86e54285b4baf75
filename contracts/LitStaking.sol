// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title LitStaking: the part of Lit's Staking contract that Lit's JavaScript SDK (v7) reads.
///
/// With `litNetwork: 'custom'` the SDK finds its nodes, its threshold and the current epoch only
/// through `getActiveUnkickedValidatorStructsAndCounts()`, and it watches `StateChanged` to learn
/// of a new validator set. A litrt network has no staking, rewards or kicking: the launcher (the
/// admin) publishes its nodes once they have finished their key generation. The return layout is
/// Lit's (LibStakingStorage.Epoch and Validator), so the SDK decodes it with Lit's own ABI too.
contract LitStaking {
    struct Epoch {
        uint256 epochLength;
        uint256 number;
        uint256 endTime;
        uint256 retries;
        uint256 timeout;
    }

    struct Validator {
        uint32 ip; // IPv4, big-endian: 127.0.0.1 is 0x7F000001
        uint128 ipv6;
        uint32 port;
        address nodeAddress;
        uint256 reward;
        uint256 senderPubKey;
        uint256 receiverPubKey;
    }

    // Lit's LibStakingStorage.States; only Active is ever entered here.
    enum States {
        Active,
        NextValidatorSetLocked,
        ReadyForNextEpoch,
        Unlocked,
        Paused,
        Restore
    }

    // The first epoch number the SDK uses as sent: from 3 on it sends number - 1 during an epoch's
    // first 45 seconds (lit-core.ts currentEpochNumber).
    uint256 public constant FIRST_EPOCH = 2;
    uint256 public constant EPOCH_RETRIES = 3;
    uint256 public constant EPOCH_TIMEOUT = 60;

    address public immutable admin;
    uint256 public immutable epochLength;
    uint256 public immutable epochStart;
    uint256 public threshold;
    Validator[] private _validators;

    event StateChanged(States newState);

    constructor(address admin_, uint256 epochLength_) {
        require(admin_ != address(0), "LitStaking: zero admin");
        require(epochLength_ > 0, "LitStaking: zero epoch length");
        admin = admin_;
        epochLength = epochLength_;
        epochStart = block.timestamp;
    }

    /// Publishes the validator set and the number of shares a signature or decryption needs;
    /// the SDK re-reads the set when it sees the StateChanged(Active) this emits.
    function setValidators(Validator[] calldata validators, uint256 threshold_) external {
        require(msg.sender == admin, "LitStaking: caller is not the admin");
        require(validators.length > 0, "LitStaking: no validators");
        require(threshold_ > 0 && threshold_ <= validators.length, "LitStaking: threshold must be in 1..validators");
        delete _validators;
        for (uint256 i = 0; i < validators.length; i++) {
            require(validators[i].ip != 0 && validators[i].port != 0, "LitStaking: validator without IPv4 address or port");
            _validators.push(validators[i]);
        }
        threshold = threshold_;
        emit StateChanged(States.Active);
    }

    /// Epochs follow each other every epochLength seconds from deployment, so the SDK always sees
    /// a current one (its endTime in the future).
    function epoch() public view returns (Epoch memory) {
        uint256 elapsed = (block.timestamp - epochStart) / epochLength;
        return Epoch({
            epochLength: epochLength,
            number: FIRST_EPOCH + elapsed,
            endTime: epochStart + (elapsed + 1) * epochLength,
            retries: EPOCH_RETRIES,
            timeout: EPOCH_TIMEOUT
        });
    }

    function getActiveUnkickedValidatorStructsAndCounts()
        external
        view
        returns (Epoch memory, uint256, Validator[] memory)
    {
        return (epoch(), threshold, _validators);
    }
}
