// `JSON.parse`, taught host values. The host answers the hot database ops
// (get, query rows, pages) with values it built directly, not JSON text.
// The convex package JSON.parses every syscall answer, so such a value
// travels as a token, a string that is not JSON, and JSON.parse hands back
// the value for it. Tokens left unparsed are dropped when the call ends.
// One value usually waits at a time: a slot for it, a Map for the rest.

export function setupJson(global) {
  let slotToken = null;
  let slotValue;
  const hostValues = new Map();
  let nextToken = 0;

  // A token standing for value, until JSON.parse takes it.
  function handOver(value) {
    const token = "\u0000udf-value-" + nextToken++;
    if (slotToken === null) {
      slotToken = token;
      slotValue = value;
    } else hostValues.set(token, value);
    return token;
  }

  // The value a token stands for (and forget it), or undefined.
  function takeOver(text) {
    if (text === slotToken) {
      const value = slotValue;
      slotToken = null;
      slotValue = undefined;
      return value;
    }
    if (hostValues.has(text)) {
      const value = hostValues.get(text);
      hostValues.delete(text);
      return value;
    }
    return undefined;
  }

  const realParse = global.JSON.parse;
  const parse = {
    parse(text, reviver) {
      if ((slotToken !== null || hostValues.size !== 0) && reviver === undefined && typeof text === "string") {
        const value = takeOver(text);
        if (value !== undefined) return value;
      }
      return realParse(text, reviver);
    },
  }.parse;
  Object.defineProperty(global.JSON, "parse", { value: parse, writable: true, configurable: true, enumerable: false });

  return {
    handOver,
    // the call ended: values nobody took are dropped
    dropHostValues() {
      slotToken = null;
      slotValue = undefined;
      if (hostValues.size !== 0) hostValues.clear(); // clear() makes a new table even when empty
    },
  };
}
