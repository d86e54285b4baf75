"""ethers linked per action behaves as the whole ethers 5.7.2 UMD bundle.

Each check runs in its own fresh isolate twice: linked from its own text alone (so a module the closure
analysis missed shows up as "was not linked" or a different answer), and with the npm UMD bundle
(node_modules/ethers/dist/ethers.umd.min.js, via $LITRT_ETHERS_JS), which is the oracle.
"""

from __future__ import annotations

import pytest

from sandbox import Host, Limits, execute
from sandbox.assets import ETHERS_ENV, _ethers_linker, bundles_for, bundles_source, ethers_path

KEY = "0x" + "11" * 32
OTHER = "0x" + "22" * 32
# A signature (of nothing in particular) that recovers to some address: r, s below n, r a valid x.
SIG = "0x" + "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798" + "11" * 32 + "1b"
ERC20 = '["function transfer(address to, uint256 amount) returns (bool)", "event Transfer(address indexed from, address indexed to, uint256 value)"]'
TX = "{ to: '0x' + '33'.repeat(20), value: 5, nonce: 1, gasLimit: 21000, gasPrice: 7, chainId: 1 }"

# name -> JS expression (awaited); its JSON is the check's answer.
CHECKS = {
    "version": "ethers.version",
    "keccak256": "ethers.utils.keccak256(ethers.utils.toUtf8Bytes('hello'))",
    "id": "ethers.utils.id('Transfer(address,address,uint256)')",
    "sha256": "ethers.utils.sha256('0x1234')",
    "ripemd160": "ethers.utils.ripemd160('0x1234')",
    "hmac": "ethers.utils.computeHmac('sha256', '0x01', '0x02')",
    "arrayify": "Array.from(ethers.utils.arrayify('0x0102ff'))",
    "hexlify": "ethers.utils.hexlify([1, 2, 255])",
    "concat": "ethers.utils.hexlify(ethers.utils.concat(['0x01', [2], '0x0304']))",
    "zeroPad": "ethers.utils.hexZeroPad('0x1', 8)",
    "utf8": "ethers.utils.toUtf8String(ethers.utils.toUtf8Bytes('héllo ✓'))",
    "bytes32": "ethers.utils.parseBytes32String(ethers.utils.formatBytes32String('lit'))",
    "hashMessage": "ethers.utils.hashMessage('hello')",
    "bignumber": "ethers.BigNumber.from('123456789012345678901234567890').mul(3).toHexString()",
    "bignumber-div": "ethers.BigNumber.from(1000).div(7).toString()",
    "units": "ethers.utils.formatUnits(ethers.utils.parseUnits('1.5', 9), 'gwei')",
    "parseEther": "ethers.utils.parseEther('2.25').toString()",
    "formatEther": "ethers.utils.formatEther(ethers.constants.WeiPerEther.mul(3))",
    "commify": "ethers.utils.commify('1234567.89')",
    "fixednumber": "ethers.FixedNumber.from('1.5').mulUnsafe(ethers.FixedNumber.from('2')).toString()",
    "constants": "[ethers.constants.AddressZero, ethers.constants.HashZero, ethers.constants.MaxUint256.toString()]",
    "getAddress": "ethers.utils.getAddress('0x' + 'ab'.repeat(20))",
    "contractAddress": "ethers.utils.getContractAddress({ from: '0x' + 'ab'.repeat(20), nonce: 5 })",
    "create2": "ethers.utils.getCreate2Address('0x' + 'ab'.repeat(20), '0x' + '00'.repeat(32), '0x' + '11'.repeat(32))",
    "abi-encode": "ethers.utils.defaultAbiCoder.encode(['uint256', 'string', 'address[]'], [5, 'x', ['0x' + '01'.repeat(20)]])",
    "abi-decode": "ethers.utils.defaultAbiCoder.decode(['uint256', 'bool'], '0x' + '00'.repeat(31) + '07' + '00'.repeat(31) + '01').map(String)",
    "solidityKeccak": "ethers.utils.solidityKeccak256(['uint8', 'string'], [1, 'a'])",
    "rlp": "ethers.utils.RLP.encode(['0x01', ['0x0203']])",
    "base64": "ethers.utils.base64.encode(ethers.utils.toUtf8Bytes('lit'))",
    "base58": "ethers.utils.base58.encode('0x0001ff')",
    "serializeTx": f"ethers.utils.serializeTransaction({TX})",
    "parseTx": f"(() => {{ const t = ethers.utils.parseTransaction(ethers.utils.serializeTransaction({TX})); return [t.nonce, t.value.toString(), t.to]; }})()",
    "splitSignature": f"ethers.utils.splitSignature('{SIG}')",
    "joinSignature": f"ethers.utils.joinSignature(ethers.utils.splitSignature('{SIG}'))",
    "recoverAddress": f"ethers.utils.recoverAddress(ethers.utils.id('n'), '{SIG}')",
    "recoverPublicKey": f"ethers.utils.recoverPublicKey(ethers.utils.id('n'), '{SIG}')",
    "verifyMessage": f"ethers.utils.verifyMessage('n', '{SIG}')",
    "verify-own": f"new ethers.Wallet('{KEY}').signMessage('m').then((s) => ethers.utils.verifyMessage('m', s))",
    "computeAddress": f"ethers.utils.computeAddress('{KEY}')",
    "computePublicKey": f"ethers.utils.computePublicKey('{KEY}', true)",
    "signingKey": f"new ethers.utils.SigningKey('{KEY}').signDigest(ethers.utils.id('x'))",
    "ecdh": f"new ethers.utils.SigningKey('{KEY}').computeSharedSecret(ethers.utils.computePublicKey('{OTHER}'))",
    "wallet-address": f"new ethers.Wallet('{KEY}').address",
    "wallet-signMessage": f"new ethers.Wallet('{KEY}').signMessage('hello')",
    "wallet-signTx": f"new ethers.Wallet('{KEY}').signTransaction({TX})",
    "typedData": f"new ethers.Wallet('{KEY}')._signTypedData({{ name: 'x', chainId: 1 }}, {{ M: [{{ name: 'a', type: 'uint256' }}] }}, {{ a: 1 }})",
    "interface-encode": f"new ethers.utils.Interface({ERC20}).encodeFunctionData('transfer', ['0x' + '01'.repeat(20), 5])",
    "contract-encode": f"new ethers.Contract('0x' + '02'.repeat(20), {ERC20}).interface.encodeFunctionData('transfer', ['0x' + '01'.repeat(20), 5])",
    "event-topic": f"new ethers.utils.Interface({ERC20}).getEventTopic('Transfer')",
    "namehash": "ethers.utils.namehash('vitalik.eth')",
    "isValidName": "ethers.utils.isValidName('lit.eth')",
    "mnemonic": "ethers.utils.entropyToMnemonic('0x' + '00'.repeat(16))",
    "hdnode": "ethers.utils.HDNode.fromMnemonic(ethers.utils.entropyToMnemonic('0x' + '00'.repeat(16))).derivePath(\"m/44'/60'/0'/0/0\").address",
    "provider-new": "typeof new ethers.providers.JsonRpcProvider('http://127.0.0.1:1').send",
    "keys-ethers": "Object.keys(ethers)",
    "keys-utils": "Object.keys(ethers.utils)",
    "keys-providers": "Object.keys(ethers.providers)",
    "keys-constants": "Object.keys(ethers.constants)",
    "descriptors": "Object.entries(Object.getOwnPropertyDescriptors(ethers.utils)).map(([k, d]) => k + ('get' in d ? 'G' : 'V') + d.enumerable + d.configurable)",
    "global-descriptor": "(({ get, set, value, ...d }) => d)(Object.getOwnPropertyDescriptor(globalThis, 'ethers'))",
    "esModule": "[ethers.__esModule, ethers.utils.__esModule, Object.keys(ethers.utils.RLP)]",
    "identity": "[ethers.providers === ethers.ethers.providers, ethers.utils === ethers.ethers.utils, ethers.BigNumber === ethers.ethers.BigNumber]",
    "instanceof": "[ethers.utils.parseEther('1') instanceof ethers.BigNumber, ethers.constants.Two instanceof ethers.BigNumber, ethers.utils.defaultAbiCoder.decode(['uint256'], '0x' + '00'.repeat(32))[0] instanceof ethers.BigNumber]",
    "signer-instanceof": f"new ethers.Wallet('{KEY}') instanceof ethers.Signer",
    "prototype-keys": "Object.keys(ethers.BigNumber.prototype).length",
    "error": "(() => { try { ethers.utils.getAddress('0x12'); } catch (e) { return [e.code, e.reason, e.message]; } })()",
    "destructure": "(() => { const { keccak256, toUtf8Bytes } = ethers.utils; return keccak256(toUtf8Bytes('d')); })()",
    "alias": "(() => { const u = ethers.utils; return u.keccak256(u.toUtf8Bytes('a')); })()",
    "computed": "(() => { const k = 'keccak' + '256'; return ethers.utils[k]('0x01'); })()",
    "errors": "[ethers.errors.CALL_EXCEPTION, ethers.logger.version, ethers.wordlists.en.getWord(5)]",
}


def _action(expression: str) -> str:
    return (
        "(async () => { let r; try { r = await (" + expression + "); } catch (e) { r = 'throws: ' + e.message; }"
        " Lit.Actions.setResponse({ response: JSON.stringify(r) }); })();"
    )


async def respond(code: str) -> str:
    """The response of `code` run in a fresh isolate (an error fails the test)."""
    result = await execute(code, {}, Host(), Limits())
    assert result.error is None, result.error
    return str(result.response)


async def _run(expression: str) -> str:
    return await respond(_action(expression))


@pytest.fixture
def use_umd(monkeypatch: pytest.MonkeyPatch):
    """switch(True): the whole UMD bundle (the oracle); switch(False): linked per action."""

    def switch(on: bool) -> None:
        if on:
            monkeypatch.setenv(ETHERS_ENV, str(ethers_path()))
        else:
            monkeypatch.delenv(ETHERS_ENV, raising=False)

    yield switch
    switch(False)


def test_there_are_enough_checks() -> None:
    assert len(CHECKS) >= 40


@pytest.mark.parametrize("name", sorted(CHECKS))
async def test_linked_ethers_answers_as_the_umd(name: str, use_umd) -> None:
    expression = CHECKS[name]
    use_umd(False)
    linked_names = bundles_for(_action(expression))
    assert any(n.startswith("ethers:") for n in linked_names)
    linked = await _run(expression)
    use_umd(True)
    assert not any(n.startswith("ethers:") for n in bundles_for(_action(expression)))
    whole = await _run(expression)
    assert linked == whole
    assert "was not linked" not in linked


def test_small_actions_get_a_small_script() -> None:
    """The point of linking: a keccak256 action does not carry ENS, providers or the curve."""
    linker = _ethers_linker()
    files = {linker._files[i].path for i in linker.files_for("ethers.utils.keccak256(ethers.utils.toUtf8Bytes('x'))")}  # noqa: SLF001
    assert any(p.endswith("keccak256/lib/index.js") for p in files)
    assert not any(p.endswith(("ens-normalize/lib.js", "json-rpc-provider.js", "secp256k1/lib/index.js")) for p in files)
    assert len(bundles_source(bundles_for("ethers.utils.keccak256('0x01')"))) < 150_000


@pytest.mark.parametrize(
    "code",
    [
        "ethers[x]",
        "const e = ethers; e.utils.id('x')",
        "// ethers\nglobalThis['eth' + 'ers'].utils.id('x')",
        "myethers.x; globalThis.ethers.utils.id('x')",
        "ethers.utils.id; ethers['Wal' + 'let']",
    ],
)
def test_anything_unclear_links_everything(code: str) -> None:
    assert "ethers:all" in bundles_for(code)


@pytest.mark.parametrize(
    "code",
    [
        "const { keccak256, ...rest } = ethers.utils",
        "const { keccak256: { call } } = ethers.utils",
        "ethers.utils['keccak' + '256']",
        "ethers.utils /* keccak256 */ .keccak256",
        "Object.keys(ethers.utils)",
    ],
)
def test_a_chain_read_no_further_links_all_behind_it(code: str) -> None:
    linker = _ethers_linker()
    assert linker.files_for(code) >= linker.files_for("Object.keys(ethers.utils)")


def test_destructuring_links_only_the_names() -> None:
    linker = _ethers_linker()
    picked = linker.files_for("const { keccak256, toUtf8Bytes: bytes } = ethers.utils;")
    assert picked == linker.files_for("ethers.utils.keccak256; ethers.utils.toUtf8Bytes")
    assert len(picked) < len(linker.files_for("Object.keys(ethers.utils)")) / 2


async def test_an_action_that_tampers_with_ethers_leaves_the_next_one_alone() -> None:
    """The linked script is text kept by the host; every isolate evaluates it afresh."""
    same_closure = "ethers.utils.keccak256(ethers.utils.toUtf8Bytes('x'))"
    tamper = (
        "ethers.utils.keccak256 = () => 'evil'; Map.prototype.get = () => ({ exports: { keccak256: () => 'evil' } });"
        " Object.defineProperty(ethers.utils, 'toUtf8Bytes', { get: () => () => 'evil' });"
        f" Lit.Actions.setResponse({{ response: String({same_closure}) }});"
    )
    assert await respond(tamper) == "evil"
    clean = await _run(same_closure)
    assert clean == '"0x7521d1cadbcfa91eec65aa16715b94ffc1c9654ba57ea2ef1a2127bca1127a83"'
