// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title NetworkKeys: the public keys of a litrt network, published once at genesis.
///
/// After the nodes' distributed key generation, the network's admin account (held by the local
/// network launcher) writes the root secp256k1 public keys, from which every PKP key is derived,
/// and the BLS12-381 public key (G1, 48 bytes compressed) used for encryption and network
/// signatures. They can be set exactly once: clients derive PKP public keys from them, so a
/// change would silently orphan every PKP already minted.
contract NetworkKeys {
    address public immutable admin;
    bool public isSet;
    uint256 public threshold; // shares needed to sign or decrypt (2t+1)
    bytes[] private _ecdsaRootKeys;
    bytes private _blsPublicKey;

    event NetworkKeysSet(uint256 rootKeyCount, uint256 threshold, bytes blsPublicKey);

    constructor(address admin_) {
        require(admin_ != address(0), "NetworkKeys: zero admin");
        admin = admin_;
    }

    /// Root keys are SEC1 secp256k1 points: 33 bytes compressed (0x02/0x03) or 65 uncompressed (0x04).
    function setNetworkKeys(bytes[] calldata ecdsaRootKeys, bytes calldata blsPublicKey, uint256 threshold_) external {
        require(msg.sender == admin, "NetworkKeys: caller is not the admin");
        require(!isSet, "NetworkKeys: keys are already set");
        require(ecdsaRootKeys.length > 0, "NetworkKeys: no root keys");
        require(blsPublicKey.length == 48, "NetworkKeys: BLS public key must be 48 bytes (G1 compressed)");
        require(threshold_ > 0, "NetworkKeys: zero threshold");
        for (uint256 i = 0; i < ecdsaRootKeys.length; i++) {
            bytes calldata k = ecdsaRootKeys[i];
            bool compressed = k.length == 33 && (k[0] == 0x02 || k[0] == 0x03);
            bool uncompressed = k.length == 65 && k[0] == 0x04;
            require(compressed || uncompressed, "NetworkKeys: root key is not a SEC1 secp256k1 point");
            _ecdsaRootKeys.push(k);
        }
        _blsPublicKey = blsPublicKey;
        threshold = threshold_;
        isSet = true;
        emit NetworkKeysSet(ecdsaRootKeys.length, threshold_, blsPublicKey);
    }

    function getEcdsaRootKeys() external view returns (bytes[] memory) {
        return _ecdsaRootKeys;
    }

    function getBlsPublicKey() external view returns (bytes memory) {
        return _blsPublicKey;
    }
}
