// Calls another action by its CID and passes its answer on.
// jsParams: childIpfsId (e.g. the CID of hello.js), name.
const go = async () => {
  const answer = await Lit.Actions.call({ ipfsId: childIpfsId, params: { name } });
  Lit.Actions.setResponse({ response: JSON.stringify({ fromChild: answer }) });
};
go();
