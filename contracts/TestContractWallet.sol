// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title TestContractWallet: the smallest EIP-1271 contract wallet, for sign-in tests.
///
/// A signature is valid for the wallet when it is a 65-byte ECDSA signature (r, s, v) by the
/// wallet's owner over the given hash itself (the caller hashes: for SIWE that is the EIP-191
/// personal-sign hash of the message). High-s signatures are refused (EIP-2), so a signature has
/// one valid encoding. Only the owner may hand the wallet to another owner. It holds no funds and
/// executes nothing: never use it where a signature guards value.
contract TestContractWallet {
    bytes4 internal constant MAGIC_VALUE = 0x1626ba7e; // bytes4(keccak256("isValidSignature(bytes32,bytes)"))
    bytes4 internal constant INVALID = 0xffffffff;
    uint256 internal constant HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    address public owner;

    event OwnerChanged(address indexed previousOwner, address indexed newOwner);

    constructor(address initialOwner) {
        require(initialOwner != address(0), "TestContractWallet: zero owner");
        owner = initialOwner;
        emit OwnerChanged(address(0), initialOwner);
    }

    function setOwner(address newOwner) external {
        require(msg.sender == owner, "TestContractWallet: caller is not the owner");
        require(newOwner != address(0), "TestContractWallet: zero owner");
        emit OwnerChanged(owner, newOwner);
        owner = newOwner;
    }

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        if (signature.length != 65) return INVALID;
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        if (v < 27) v += 27; // some signers give the recovery id as 0/1
        if ((v != 27 && v != 28) || uint256(s) > HALF_ORDER) return INVALID;
        address signer = ecrecover(hash, v, r, s);
        return signer != address(0) && signer == owner ? MAGIC_VALUE : INVALID;
    }
}
