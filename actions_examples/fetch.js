// Fetches the JSON document at jsParams.url and responds with one of its fields (jsParams.field).
const go = async () => {
  const res = await fetch(url);
  if (!res.ok) {
    throw new Error(`${url} answered ${res.status} ${res.statusText}`);
  }
  const doc = await res.json();
  console.log("fetched", Object.keys(doc).length, "fields");
  Lit.Actions.setResponse({ response: JSON.stringify({ [field]: doc[field] }) });
};
go();
