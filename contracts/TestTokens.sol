// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title Test tokens and a gate contract for litrt's access-control condition tests.
///
/// These exist so the condition checks (evmBasic balanceOf / ownerOf / balanceOfBatch, and
/// evmContractConditions) can be tested against real contracts on the dev chain and ganache.
/// They are TEST contracts: anyone may mint and anyone may set gate members. Never deploy them
/// anywhere a balance means something. Only the parts of each standard the conditions read, or a
/// test needs to move tokens, are written; the rest (ERC721 safeTransferFrom, ERC1155 batch
/// transfers and receiver hooks, metadata URIs) is left out on purpose.

/// ERC20 with a public mint.
contract TestERC20 {
    string public constant name = "litrt Test Token";
    string public constant symbol = "LTT";
    uint8 public constant decimals = 18;
    uint256 public totalSupply;

    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    /// Anyone may mint: this is a test token.
    function mint(address to, uint256 amount) external {
        require(to != address(0), "TestERC20: mint to the zero address");
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _move(msg.sender, to, amount);
        return true;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) { // an unlimited approval is not spent, as is usual
            require(allowed >= amount, "TestERC20: insufficient allowance");
            allowance[from][msg.sender] = allowed - amount;
        }
        _move(from, to, amount);
        return true;
    }

    function _move(address from, address to, uint256 amount) private {
        require(to != address(0), "TestERC20: transfer to the zero address");
        require(balanceOf[from] >= amount, "TestERC20: insufficient balance");
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
    }
}

/// ERC721 with a public mint; token ids are 1, 2, 3, ... in mint order.
contract TestERC721 {
    string public constant name = "litrt Test NFT";
    string public constant symbol = "LTN";

    uint256 public totalSupply;
    mapping(uint256 => address) private _owners;
    mapping(address => uint256) private _balances;
    mapping(uint256 => address) private _approved;
    mapping(address => mapping(address => bool)) private _operators;

    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);
    event Approval(address indexed owner, address indexed approved, uint256 indexed tokenId);
    event ApprovalForAll(address indexed owner, address indexed operator, bool approved);

    /// ERC165 (0x01ffc9a7) and ERC721 (0x80ac58cd); not the optional metadata or enumerable parts.
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == 0x01ffc9a7 || interfaceId == 0x80ac58cd;
    }

    /// Anyone may mint: this is a test token.
    function mint(address to) external returns (uint256 tokenId) {
        require(to != address(0), "TestERC721: mint to the zero address");
        tokenId = ++totalSupply;
        _owners[tokenId] = to;
        _balances[to] += 1;
        emit Transfer(address(0), to, tokenId);
    }

    function balanceOf(address owner) external view returns (uint256) {
        require(owner != address(0), "TestERC721: balance query for the zero address");
        return _balances[owner];
    }

    function ownerOf(uint256 tokenId) public view returns (address owner) {
        owner = _owners[tokenId];
        require(owner != address(0), "TestERC721: nonexistent token");
    }

    function approve(address to, uint256 tokenId) external {
        address owner = ownerOf(tokenId);
        require(msg.sender == owner || _operators[owner][msg.sender], "TestERC721: approve by a non-owner");
        _approved[tokenId] = to;
        emit Approval(owner, to, tokenId);
    }

    function getApproved(uint256 tokenId) external view returns (address) {
        ownerOf(tokenId); // reverts for a nonexistent token, as the standard asks
        return _approved[tokenId];
    }

    function setApprovalForAll(address operator, bool approved) external {
        _operators[msg.sender][operator] = approved;
        emit ApprovalForAll(msg.sender, operator, approved);
    }

    function isApprovedForAll(address owner, address operator) external view returns (bool) {
        return _operators[owner][operator];
    }

    function transferFrom(address from, address to, uint256 tokenId) external {
        address owner = ownerOf(tokenId);
        require(owner == from, "TestERC721: from is not the token owner");
        require(to != address(0), "TestERC721: transfer to the zero address");
        require(
            msg.sender == owner || _approved[tokenId] == msg.sender || _operators[owner][msg.sender],
            "TestERC721: sender is neither owner nor approved"
        );
        delete _approved[tokenId];
        _balances[from] -= 1;
        _balances[to] += 1;
        _owners[tokenId] = to;
        emit Transfer(from, to, tokenId);
    }
}

/// ERC1155 with a public mint. safeTransferFrom does NOT call onERC1155Received on a contract
/// recipient: this is a test token, and skipping the hook keeps it small.
contract TestERC1155 {
    mapping(uint256 => mapping(address => uint256)) private _balances;
    mapping(address => mapping(address => bool)) private _operators;

    event TransferSingle(address indexed operator, address indexed from, address indexed to, uint256 id, uint256 value);
    event ApprovalForAll(address indexed account, address indexed operator, bool approved);

    /// ERC165 (0x01ffc9a7) and ERC1155 (0xd9b67a26).
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == 0x01ffc9a7 || interfaceId == 0xd9b67a26;
    }

    /// Anyone may mint: this is a test token.
    function mint(address to, uint256 id, uint256 amount) external {
        require(to != address(0), "TestERC1155: mint to the zero address");
        _balances[id][to] += amount;
        emit TransferSingle(msg.sender, address(0), to, id, amount);
    }

    function balanceOf(address account, uint256 id) public view returns (uint256) {
        return _balances[id][account];
    }

    function balanceOfBatch(address[] calldata accounts, uint256[] calldata ids)
        external
        view
        returns (uint256[] memory balances)
    {
        require(accounts.length == ids.length, "TestERC1155: accounts and ids differ in length");
        balances = new uint256[](accounts.length);
        for (uint256 i = 0; i < accounts.length; i++) {
            balances[i] = _balances[ids[i]][accounts[i]];
        }
    }

    function setApprovalForAll(address operator, bool approved) external {
        _operators[msg.sender][operator] = approved;
        emit ApprovalForAll(msg.sender, operator, approved);
    }

    function isApprovedForAll(address account, address operator) external view returns (bool) {
        return _operators[account][operator];
    }

    /// `data` is accepted for the standard's signature and ignored (no receiver hook, see above).
    function safeTransferFrom(address from, address to, uint256 id, uint256 amount, bytes calldata data) external {
        data;
        require(from == msg.sender || _operators[from][msg.sender], "TestERC1155: sender is neither owner nor approved");
        require(to != address(0), "TestERC1155: transfer to the zero address");
        require(_balances[id][from] >= amount, "TestERC1155: insufficient balance");
        _balances[id][from] -= amount;
        _balances[id][to] += amount;
        emit TransferSingle(msg.sender, from, to, id, amount);
    }
}

/// A contract for evmContractConditions tests: a bool, a uint and a multi-output read, so a
/// condition can test each return kind and pick a named output with returnValueTest.key.
/// Anyone may set members: this is a test contract.
contract AccessGate {
    struct Member {
        bool member;
        uint256 level;
        string name;
    }

    mapping(address => Member) private _members;

    event MemberSet(address indexed who, bool member, uint256 level, string name);

    function setMember(address who, bool member, uint256 newLevel, string calldata name) external {
        _members[who] = Member(member, newLevel, name);
        emit MemberSet(who, member, newLevel, name);
    }

    function isMember(address who) external view returns (bool) {
        return _members[who].member;
    }

    function level(address who) external view returns (uint256) {
        return _members[who].level;
    }

    /// The output names (member, level, name) are what a returnValueTest.key refers to; solc warns
    /// that the output `level` shadows the function level(), which is harmless and kept for the name.
    function profile(address who) external view returns (bool member, uint256 level, string memory name) {
        Member storage m = _members[who];
        return (m.member, m.level, m.name);
    }
}
