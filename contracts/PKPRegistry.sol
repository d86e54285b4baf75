// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title PKPRegistry: ownership and permissions of Programmable Key Pairs (PKPs) for litrt.
///
/// Modelled on Lit Protocol's PKPNFT + PKPPermissions, folded into one small contract.
///
/// Minting. A PKP's public key is derived off-chain by HD derivation from the network's root keys
/// and a 32-byte key id: pubkey = sum_j rootPk_j * d^j with d = hash_to_scalar(keyId). That
/// derivation needs only public data (the root public keys live in NetworkKeys), so the minter
/// computes the pubkey itself and registers it here in one transaction. This chain cannot run the
/// derivation (Lit's own chain uses a precompile for it), so the contract cannot check the pubkey:
/// every node MUST recompute derive(keyId) and compare it with getPubkey(tokenId) before it
/// releases a signature share. A wrong pubkey therefore only yields a dead token.
/// The key id binds the minter: keyId = keccak256(abi.encode(chainid, this, minter, salt)), so no
/// one else can register a token for a key id the minter will use; someone who copies a pending
/// pubkey can at worst block that tokenId (their token is dead) and the minter retries with a new
/// salt. tokenId = uint256(keccak256(pubkey)), as Lit's pubkeyToTokenId.
///
/// Key types. Each token records the curve its key is on, as Lit's PubkeyRouter keeps a `keyType`
/// per token, numbered as lit-peer's CurveType: 2 K256 (a 65-byte uncompressed secp256k1 key,
/// 0x04...), 3 Ed25519 (the 32-byte RFC 8032 encoding), 6 P256 (a 65-byte uncompressed P-256 key,
/// 0x04..., the uncompressed form lit-peer prefers for ECDSA keys). The derivation uses that
/// curve's root keys. `mint(salt, pubkey)` mints a K256 PKP, as before key types; `mintWithKeyType`
/// takes the type. Token ids of different types do not collide: Ed25519 keys differ in length, and
/// no 65 bytes are a point of both secp256k1 and P-256 that anyone can find (the pubkey is unique
/// here in any case).
///
/// Permissions, as Lit's PKPPermissions: a PKP permits auth methods, each an
/// AuthMethod{authMethodType, id, userPubkey} with a set of scopes (1 sign-anything, 2 personal-sign).
/// Type 1 is an address (id = the 20 address bytes), type 2 a Lit Action (id = the IPFS CID's
/// multihash bytes, i.e. the base58-decoded CIDv0, 0x1220 + sha256 digest); any other non-zero type
/// is an app's own (Lit's custom auth: a Lit Action checks the credential, the id is the app's user id).
/// An auth method is named by authMethodId = keccak256(abi.encode(authMethodType, id)), as in Lit.
/// Only the current owner may change them; they stay with the token when it is transferred.
/// The owner is not implicitly listed: reads report only what was explicitly permitted.
/// Where this differs from Lit: removing an auth method also forgets its scopes (Lit keeps the
/// bitmap, so a re-added method would get its old scopes back); scope writes need the method to be
/// permitted; only scopes 1 and 2 exist; userPubkey is kept per PKP, and once set it cannot be
/// replaced by a different one (Lit enforces that only for WebAuthn, type 3).
contract PKPRegistry {
    uint256 public constant AUTH_METHOD_ADDRESS = 1;
    uint256 public constant AUTH_METHOD_ACTION = 2;
    uint256 public constant SCOPE_SIGN_ANYTHING = 1;
    uint256 public constant SCOPE_PERSONAL_SIGN = 2;
    uint256 public constant MAX_SCOPE = 2;
    uint256 public constant KEY_TYPE_K256 = 2;
    uint256 public constant KEY_TYPE_ED25519 = 3;
    uint256 public constant KEY_TYPE_P256 = 6;

    struct Pkp {
        address owner;
        bytes32 keyId;
        bytes pubkey;
        uint256 keyType;
    }

    /// Lit's LibPubkeyRouterStorage.PubkeyRoutingData, field for field (derivedKeyId is our keyId).
    struct PubkeyRoutingData {
        bytes pubkey;
        uint256 keyType;
        bytes32 derivedKeyId;
    }

    /// Lit's LibPKPPermissionsStorage.AuthMethod, field for field, so its ABI tuple is the same.
    struct AuthMethod {
        uint256 authMethodType;
        bytes id;
        bytes userPubkey;
    }

    mapping(uint256 => Pkp) private _pkps;
    mapping(bytes32 => uint256) private _tokenIdByKeyId;
    mapping(address => uint256[]) private _owned;
    // position + 1 of a token in its owner's list, so removal on transfer is O(1)
    mapping(uint256 => uint256) private _ownedPos;
    uint256 public totalSupply;

    mapping(uint256 => AuthMethod[]) private _methods;
    // position + 1 of an auth method in _methods[tokenId], keyed by its authMethodId
    mapping(uint256 => mapping(bytes32 => uint256)) private _methodPos;
    // bit s set <=> scope s granted; zeroed when the method is removed
    mapping(uint256 => mapping(bytes32 => uint256)) private _scopeMask;
    // the reverse index Lit's getTokenIdsForAuthMethod reads, with positions + 1 for O(1) removal
    mapping(bytes32 => uint256[]) private _tokensOfMethod;
    mapping(bytes32 => mapping(uint256 => uint256)) private _tokenPosInMethod;

    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);
    event PKPMinted(uint256 indexed tokenId, bytes32 indexed keyId, address indexed owner, bytes pubkey);
    event PubkeyRoutingDataSet(uint256 indexed tokenId, bytes pubkey, uint256 keyType, bytes32 derivedKeyId);
    event PermittedAuthMethodAdded(uint256 indexed tokenId, uint256 authMethodType, bytes id, bytes userPubkey);
    event PermittedAuthMethodRemoved(uint256 indexed tokenId, uint256 authMethodType, bytes id);
    event PermittedAuthMethodScopeAdded(uint256 indexed tokenId, uint256 authMethodType, bytes id, uint256 scopeId);
    event PermittedAuthMethodScopeRemoved(uint256 indexed tokenId, uint256 authMethodType, bytes id, uint256 scopeId);

    modifier onlyTokenOwner(uint256 tokenId) {
        address owner = _pkps[tokenId].owner;
        require(owner != address(0), "PKPRegistry: unknown tokenId");
        require(owner == msg.sender, "PKPRegistry: caller is not the PKP owner");
        _;
    }

    // ---- minting and ownership -------------------------------------------------------------

    /// The key id a mint by `minter` with `salt` gets; clients call it before deriving the pubkey.
    function keyIdFor(address minter, bytes32 salt) public view returns (bytes32) {
        return keccak256(abi.encode(block.chainid, address(this), minter, salt));
    }

    /// A K256 PKP (key type 2): the call every minter made before key types existed.
    function mint(bytes32 salt, bytes calldata pubkey) external returns (uint256 tokenId, bytes32 keyId) {
        return _mint(KEY_TYPE_K256, salt, pubkey);
    }

    function mintWithKeyType(uint256 keyType, bytes32 salt, bytes calldata pubkey)
        external
        returns (uint256 tokenId, bytes32 keyId)
    {
        return _mint(keyType, salt, pubkey);
    }

    function _mint(uint256 keyType, bytes32 salt, bytes calldata pubkey) private returns (uint256 tokenId, bytes32 keyId) {
        if (keyType == KEY_TYPE_K256) {
            require(pubkey.length == 65 && pubkey[0] == 0x04, "PKPRegistry: pubkey must be 65 bytes, uncompressed (0x04...)");
        } else if (keyType == KEY_TYPE_ED25519) {
            require(pubkey.length == 32, "PKPRegistry: an Ed25519 pubkey must be 32 bytes");
        } else if (keyType == KEY_TYPE_P256) {
            require(pubkey.length == 65 && pubkey[0] == 0x04, "PKPRegistry: a P256 pubkey must be 65 bytes, uncompressed (0x04...)");
        } else {
            revert("PKPRegistry: unsupported key type (2 K256, 3 Ed25519, 6 P256)");
        }
        keyId = keyIdFor(msg.sender, salt);
        require(_tokenIdByKeyId[keyId] == 0, "PKPRegistry: key id already minted");
        tokenId = uint256(keccak256(pubkey));
        require(_pkps[tokenId].owner == address(0), "PKPRegistry: pubkey already minted");

        _pkps[tokenId] = Pkp({owner: msg.sender, keyId: keyId, pubkey: pubkey, keyType: keyType});
        _tokenIdByKeyId[keyId] = tokenId;
        _addOwned(msg.sender, tokenId);
        totalSupply += 1;
        emit Transfer(address(0), msg.sender, tokenId);
        emit PKPMinted(tokenId, keyId, msg.sender, pubkey);
        emit PubkeyRoutingDataSet(tokenId, pubkey, keyType, keyId);
    }

    /// ERC721-shaped, but only the owner itself may move a token (no approvals).
    function transferFrom(address from, address to, uint256 tokenId) external onlyTokenOwner(tokenId) {
        require(from == msg.sender, "PKPRegistry: from is not the PKP owner");
        require(to != address(0), "PKPRegistry: transfer to the zero address");
        _removeOwned(from, tokenId);
        _addOwned(to, tokenId);
        _pkps[tokenId].owner = to;
        emit Transfer(from, to, tokenId);
    }

    function exists(uint256 tokenId) external view returns (bool) {
        return _pkps[tokenId].owner != address(0);
    }

    function ownerOf(uint256 tokenId) external view returns (address) {
        address owner = _pkps[tokenId].owner;
        require(owner != address(0), "PKPRegistry: unknown tokenId");
        return owner;
    }

    function balanceOf(address owner) external view returns (uint256) {
        return _owned[owner].length;
    }

    function tokensOfOwner(address owner) external view returns (uint256[] memory) {
        return _owned[owner];
    }

    function getPubkey(uint256 tokenId) external view returns (bytes memory) {
        require(_pkps[tokenId].owner != address(0), "PKPRegistry: unknown tokenId");
        return _pkps[tokenId].pubkey;
    }

    function getKeyId(uint256 tokenId) external view returns (bytes32) {
        require(_pkps[tokenId].owner != address(0), "PKPRegistry: unknown tokenId");
        return _pkps[tokenId].keyId;
    }

    /// Lit's numbering (lit-peer CurveType): 2 K256, 3 Ed25519.
    function getKeyType(uint256 tokenId) external view returns (uint256) {
        require(_pkps[tokenId].owner != address(0), "PKPRegistry: unknown tokenId");
        return _pkps[tokenId].keyType;
    }

    /// Lit's PubkeyRouter.getRoutingData: all zero for an unknown token, as Lit's.
    function getRoutingData(uint256 tokenId) external view returns (PubkeyRoutingData memory) {
        Pkp storage pkp = _pkps[tokenId];
        return PubkeyRoutingData({pubkey: pkp.pubkey, keyType: pkp.keyType, derivedKeyId: pkp.keyId});
    }

    /// 0 when no token has this key id.
    function getTokenIdByKeyId(bytes32 keyId) external view returns (uint256) {
        return _tokenIdByKeyId[keyId];
    }

    // ---- permissions: writes (owner only) ---------------------------------------------------

    function addPermittedAction(uint256 tokenId, bytes calldata ipfsCID, uint256[] calldata scopes) external {
        require(ipfsCID.length > 0, "PKPRegistry: empty IPFS CID");
        addPermittedAuthMethod(tokenId, AuthMethod(AUTH_METHOD_ACTION, ipfsCID, ""), scopes);
    }

    function removePermittedAction(uint256 tokenId, bytes calldata ipfsCID) external {
        removePermittedAuthMethod(tokenId, AUTH_METHOD_ACTION, ipfsCID);
    }

    function addPermittedAddress(uint256 tokenId, address user, uint256[] calldata scopes) external {
        require(user != address(0), "PKPRegistry: zero address");
        addPermittedAuthMethod(tokenId, AuthMethod(AUTH_METHOD_ADDRESS, abi.encodePacked(user), ""), scopes);
    }

    function removePermittedAddress(uint256 tokenId, address user) external {
        removePermittedAuthMethod(tokenId, AUTH_METHOD_ADDRESS, abi.encodePacked(user));
    }

    /// Adding a method that is already permitted adds the new scopes to the ones it has.
    function addPermittedAuthMethod(uint256 tokenId, AuthMethod memory authMethod, uint256[] calldata scopes)
        public
        onlyTokenOwner(tokenId)
    {
        _checkMethod(authMethod.authMethodType, authMethod.id);
        bytes32 key = _methodKey(authMethod.authMethodType, authMethod.id);
        uint256 pos = _methodPos[tokenId][key];
        if (pos == 0) {
            _methods[tokenId].push(authMethod);
            _methodPos[tokenId][key] = _methods[tokenId].length;
            _tokensOfMethod[key].push(tokenId);
            _tokenPosInMethod[key][tokenId] = _tokensOfMethod[key].length;
        } else if (authMethod.userPubkey.length > 0) {
            AuthMethod storage stored = _methods[tokenId][pos - 1];
            // the pubkey is part of what a node verifies (WebAuthn): a second add must not swap it
            require(
                stored.userPubkey.length == 0 || keccak256(stored.userPubkey) == keccak256(authMethod.userPubkey),
                "PKPRegistry: auth method already has a different userPubkey"
            );
            stored.userPubkey = authMethod.userPubkey;
        }
        for (uint256 i = 0; i < scopes.length; i++) {
            _scopeMask[tokenId][key] |= _scopeBit(scopes[i]);
            emit PermittedAuthMethodScopeAdded(tokenId, authMethod.authMethodType, authMethod.id, scopes[i]);
        }
        emit PermittedAuthMethodAdded(tokenId, authMethod.authMethodType, authMethod.id, authMethod.userPubkey);
    }

    function removePermittedAuthMethod(uint256 tokenId, uint256 authMethodType, bytes memory id)
        public
        onlyTokenOwner(tokenId)
    {
        bytes32 key = _methodKey(authMethodType, id);
        uint256 pos = _methodPos[tokenId][key];
        require(pos != 0, "PKPRegistry: not permitted");
        AuthMethod[] storage list = _methods[tokenId];
        uint256 last = list.length;
        if (pos != last) {
            // move the last entry into the freed slot (order is not part of the interface)
            list[pos - 1] = list[last - 1];
            _methodPos[tokenId][_methodKey(list[pos - 1].authMethodType, list[pos - 1].id)] = pos;
        }
        list.pop();
        delete _methodPos[tokenId][key];
        delete _scopeMask[tokenId][key];
        _removeTokenOfMethod(key, tokenId);
        emit PermittedAuthMethodRemoved(tokenId, authMethodType, id);
    }

    function addPermittedAuthMethodScope(uint256 tokenId, uint256 authMethodType, bytes calldata id, uint256 scopeId)
        external
        onlyTokenOwner(tokenId)
    {
        bytes32 key = _existing(tokenId, authMethodType, id);
        _scopeMask[tokenId][key] |= _scopeBit(scopeId);
        emit PermittedAuthMethodScopeAdded(tokenId, authMethodType, id, scopeId);
    }

    function removePermittedAuthMethodScope(uint256 tokenId, uint256 authMethodType, bytes calldata id, uint256 scopeId)
        external
        onlyTokenOwner(tokenId)
    {
        bytes32 key = _existing(tokenId, authMethodType, id);
        _scopeMask[tokenId][key] &= ~_scopeBit(scopeId);
        emit PermittedAuthMethodScopeRemoved(tokenId, authMethodType, id, scopeId);
    }

    // ---- permissions: reads ------------------------------------------------------------------

    /// Lit's rule for naming an auth method.
    function getAuthMethodId(uint256 authMethodType, bytes memory id) public pure returns (uint256) {
        return uint256(_methodKey(authMethodType, id));
    }

    function isPermittedAction(uint256 tokenId, bytes calldata ipfsCID) external view returns (bool) {
        return isPermittedAuthMethod(tokenId, AUTH_METHOD_ACTION, ipfsCID);
    }

    function isPermittedAddress(uint256 tokenId, address user) external view returns (bool) {
        return isPermittedAuthMethod(tokenId, AUTH_METHOD_ADDRESS, abi.encodePacked(user));
    }

    function isPermittedAuthMethod(uint256 tokenId, uint256 authMethodType, bytes memory id) public view returns (bool) {
        return _methodPos[tokenId][_methodKey(authMethodType, id)] != 0;
    }

    /// Every permitted auth method of the token, of every type (actions and addresses included).
    function getPermittedAuthMethods(uint256 tokenId) external view returns (AuthMethod[] memory) {
        return _methods[tokenId];
    }

    /// The tokens that permit this auth method (Lit's lookup of "my PKPs" after signing in).
    function getTokenIdsForAuthMethod(uint256 authMethodType, bytes calldata id) external view returns (uint256[] memory) {
        return _tokensOfMethod[_methodKey(authMethodType, id)];
    }

    function getPermittedActions(uint256 tokenId) external view returns (bytes[] memory actions) {
        AuthMethod[] storage list = _methods[tokenId];
        actions = new bytes[](_countOfType(list, AUTH_METHOD_ACTION));
        uint256 k = 0;
        for (uint256 i = 0; i < list.length; i++) {
            if (list[i].authMethodType == AUTH_METHOD_ACTION) {
                actions[k++] = list[i].id;
            }
        }
    }

    function getPermittedAddresses(uint256 tokenId) external view returns (address[] memory users) {
        AuthMethod[] storage list = _methods[tokenId];
        users = new address[](_countOfType(list, AUTH_METHOD_ADDRESS));
        uint256 k = 0;
        for (uint256 i = 0; i < list.length; i++) {
            if (list[i].authMethodType == AUTH_METHOD_ADDRESS) {
                users[k++] = address(bytes20(list[i].id));
            }
        }
    }

    /// The granted scope ids, ascending; empty when not permitted (or permitted with no scope).
    function getPermittedScopes(uint256 tokenId, uint256 authMethodType, bytes memory id)
        public
        view
        returns (uint256[] memory scopes)
    {
        uint256 mask = _scopeMask[tokenId][_methodKey(authMethodType, id)];
        uint256 count = 0;
        for (uint256 s = 1; s <= MAX_SCOPE; s++) {
            if (mask & (1 << s) != 0) count++;
        }
        scopes = new uint256[](count);
        uint256 k = 0;
        for (uint256 s = 1; s <= MAX_SCOPE; s++) {
            if (mask & (1 << s) != 0) scopes[k++] = s;
        }
    }

    function getPermittedActionScopes(uint256 tokenId, bytes calldata ipfsCID) external view returns (uint256[] memory) {
        return getPermittedScopes(tokenId, AUTH_METHOD_ACTION, ipfsCID);
    }

    function getPermittedAddressScopes(uint256 tokenId, address user) external view returns (uint256[] memory) {
        return getPermittedScopes(tokenId, AUTH_METHOD_ADDRESS, abi.encodePacked(user));
    }

    /// Lit's shape: maxScopeId entries, result[s] telling whether scope s is granted (s < maxScopeId).
    function getPermittedAuthMethodScopes(uint256 tokenId, uint256 authMethodType, bytes calldata id, uint256 maxScopeId)
        external
        view
        returns (bool[] memory result)
    {
        require(maxScopeId <= 256, "PKPRegistry: maxScopeId must be at most 256");
        uint256 mask = _scopeMask[tokenId][_methodKey(authMethodType, id)];
        result = new bool[](maxScopeId);
        for (uint256 s = 0; s < maxScopeId; s++) {
            result[s] = mask & (1 << s) != 0;
        }
    }

    function isPermittedAuthMethodScopePresent(uint256 tokenId, uint256 authMethodType, bytes calldata id, uint256 scopeId)
        external
        view
        returns (bool)
    {
        if (scopeId >= 256) return false;
        return _scopeMask[tokenId][_methodKey(authMethodType, id)] & (1 << scopeId) != 0;
    }

    // ---- internals -------------------------------------------------------------------------

    function _methodKey(uint256 authMethodType, bytes memory id) private pure returns (bytes32) {
        return keccak256(abi.encode(authMethodType, id));
    }

    function _checkMethod(uint256 authMethodType, bytes memory id) private pure {
        require(authMethodType != 0, "PKPRegistry: auth method type 0 is Lit's NULLMETHOD");
        if (authMethodType == AUTH_METHOD_ADDRESS) {
            require(id.length == 20, "PKPRegistry: address id must be 20 bytes");
        } else if (authMethodType == AUTH_METHOD_ACTION) {
            require(id.length > 0, "PKPRegistry: empty IPFS CID");
        } else {
            require(id.length > 0, "PKPRegistry: empty auth method id");
        }
    }

    function _scopeBit(uint256 scopeId) private pure returns (uint256) {
        require(scopeId >= 1 && scopeId <= MAX_SCOPE, "PKPRegistry: unknown scope (1 sign-anything, 2 personal-sign)");
        return 1 << scopeId;
    }

    function _existing(uint256 tokenId, uint256 authMethodType, bytes calldata id) private view returns (bytes32 key) {
        key = _methodKey(authMethodType, id);
        require(_methodPos[tokenId][key] != 0, "PKPRegistry: not permitted");
    }

    function _countOfType(AuthMethod[] storage list, uint256 authMethodType) private view returns (uint256 count) {
        for (uint256 i = 0; i < list.length; i++) {
            if (list[i].authMethodType == authMethodType) count++;
        }
    }

    function _removeTokenOfMethod(bytes32 key, uint256 tokenId) private {
        uint256[] storage list = _tokensOfMethod[key];
        uint256 pos = _tokenPosInMethod[key][tokenId];
        uint256 last = list.length;
        if (pos != last) {
            uint256 moved = list[last - 1];
            list[pos - 1] = moved;
            _tokenPosInMethod[key][moved] = pos;
        }
        list.pop();
        delete _tokenPosInMethod[key][tokenId];
    }

    function _addOwned(address owner, uint256 tokenId) private {
        _owned[owner].push(tokenId);
        _ownedPos[tokenId] = _owned[owner].length;
    }

    function _removeOwned(address owner, uint256 tokenId) private {
        uint256[] storage list = _owned[owner];
        uint256 pos = _ownedPos[tokenId];
        uint256 last = list.length;
        if (pos != last) {
            uint256 moved = list[last - 1];
            list[pos - 1] = moved;
            _ownedPos[moved] = pos;
        }
        list.pop();
        delete _ownedPos[tokenId];
    }
}
