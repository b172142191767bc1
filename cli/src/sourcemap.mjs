// sourcemap.mjs -- map a generated line/column back through a source map
// (version 3, base64 VLQ mappings), so a deploy error in a bundled module is
// reported at its convex/*.ts position. Only the lookup the CLI needs.

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Decode one segment's VLQ numbers.
function decodeSegment(seg) {
  const out = [];
  let value = 0, shift = 0;
  for (const ch of seg) {
    const d = B64.indexOf(ch);
    value += (d & 31) << shift;
    if (d & 32) shift += 5;
    else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0; shift = 0;
    }
  }
  return out;
}

// Original { source, line, column } (1-based) for a generated 1-based line/column, or null.
export function originalPosition(map, line, column) {
  if (!map || typeof map.mappings !== "string") return null;
  const lines = map.mappings.split(";");
  let src = 0, oline = 0, ocol = 0, best = null;
  for (let l = 0; l < lines.length && l < line; l++) {
    let gcol = 0;
    for (const seg of lines[l].split(",")) {
      if (!seg) continue;
      const f = decodeSegment(seg);
      gcol += f[0];
      if (f.length >= 4) {
        src += f[1]; oline += f[2]; ocol += f[3];
        if (l === line - 1 && gcol <= column - 1) best = { source: map.sources[src], line: oline + 1, column: ocol + 1 };
      }
    }
  }
  return best;
}
