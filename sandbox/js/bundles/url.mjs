// WHATWG URL and URLSearchParams from core-js-pure (a parser in plain JS, no globals touched but these).
import URL from "core-js-pure/actual/url";
import URLSearchParams from "core-js-pure/actual/url-search-params";

Object.assign(globalThis, { URL, URLSearchParams });
