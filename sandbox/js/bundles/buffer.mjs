// node:buffer for actions that import it (Deno provides it; Lit's actions do
// `const { Buffer } = await import("node:buffer")`): feross/buffer, what browserify ships as Node's.
import * as nodeBuffer from "buffer";

const { default: _commonJs, ...named } = nodeBuffer;
const { Buffer } = named;

// feross/buffer 6 predates Node's "base64url" encoding, which Lit's own examples use. Its base64
// decoder already reads the URL alphabet; encoding, byteLength and isEncoding learn the name here.
const isUrl = (encoding) => typeof encoding === "string" && encoding.toLowerCase() === "base64url";
const toString = Buffer.prototype.toString;
Buffer.prototype.toString = function (encoding, start, end) {
  if (!isUrl(encoding)) return toString.apply(this, arguments);
  return toString.call(this, "base64", start, end).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};
for (const name of ["from", "byteLength"]) {
  const original = Buffer[name];
  Buffer[name] = function (value, encoding, ...rest) {
    return isUrl(encoding) ? original.call(this, value, "base64", ...rest) : original.apply(this, arguments);
  };
}
const isEncoding = Buffer.isEncoding;
Buffer.isEncoding = (encoding) => isUrl(encoding) || isEncoding(encoding);

globalThis.__litrtInternal.modules.set("node:buffer", Object.freeze({ ...named, default: Object.freeze({ ...named }) }));
