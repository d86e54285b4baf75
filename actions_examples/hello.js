// Greets whoever jsParams names: every jsParams key is also a global.
const greeting = `Hello, ${name}!`;
console.log("saying:", greeting);
Lit.Actions.setResponse({ response: greeting });
