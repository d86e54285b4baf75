// node:buffer for actions that import it (Deno provides it; Lit's actions do
// `const { Buffer } = await import("node:buffer")`): feross/buffer, what browserify ships as Node's.
import * as nodeBuffer from "buffer";

const { default: _commonJs, ...named } = nodeBuffer;
globalThis.__litrtInternal.modules.set("node:buffer", Object.freeze({ ...named, default: Object.freeze({ ...named }) }));
