import { test } from "node:test";
import assert from "node:assert/strict";
import vm from "node:vm";
import * as esbuild from "esbuild";

import { parseSourceMap, lookup, isParsedSourceMap } from "../src/sourcemap.js";

// --- a tiny VLQ encoder, only for building test maps ------------------------
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
function vlq(value) {
  let v = value < 0 ? (-value << 1) | 1 : value << 1;
  let out = "";
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    out += B64[digit];
  } while (v > 0);
  return out;
}
// lines: array of arrays of absolute segments [genCol, src, line, col, name?]
function encodeMappings(lines) {
  let src = 0,
    ol = 0,
    oc = 0,
    nm = 0;
  return lines
    .map((segs) => {
      let gc = 0;
      return segs
        .map((s) => {
          let out = vlq(s[0] - gc);
          gc = s[0];
          if (s.length >= 4) {
            out += vlq(s[1] - src) + vlq(s[2] - ol) + vlq(s[3] - oc);
            src = s[1];
            ol = s[2];
            oc = s[3];
          }
          if (s.length === 5) {
            out += vlq(s[4] - nm);
            nm = s[4];
          }
          return out;
        })
        .join(",");
    })
    .join(";");
}

test("decodes single-field VLQ values (known encodings)", () => {
  // "gB" = 16, "hB" = -16, "D" = -1, "2H" = 123 -> one segment with those
  // four fields.
  const map = parseSourceMap({
    version: 3,
    sources: new Array(200).fill("x.ts"),
    names: [],
    mappings: "gBC2HA", // genCol 16, src 1, line 123, col 0
  });
  assert.ok(map);
  assert.deepEqual(lookup(map, 1, 17), { source: "x.ts", line: 124, column: 1, name: null });
  assert.equal(vlq(16), "gB");
  assert.equal(vlq(-16), "hB");
  assert.equal(vlq(-1), "D");
  assert.equal(vlq(123), "2H");
});

test("round-trips many random segments, including big and negative deltas", () => {
  let seed = 12345;
  const rand = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const lines = [];
  for (let l = 0; l < 200; l++) {
    const segs = [];
    let col = 0;
    const count = rand(6);
    for (let k = 0; k < count; k++) {
      col += 1 + rand(k === 0 ? 3 : 100000);
      segs.push(
        rand(4) === 0
          ? [col]
          : rand(2) === 0
            ? [col, rand(3), rand(1000000), rand(500)]
            : [col, rand(3), rand(50), rand(500), rand(4)],
      );
    }
    lines.push(segs);
  }
  const raw = {
    version: 3,
    sources: ["a.ts", "b.ts", "c.ts"],
    names: ["n0", "n1", "n2", "n3"],
    mappings: encodeMappings(lines),
  };
  const map = parseSourceMap(JSON.stringify(raw));
  assert.ok(map);
  let checked = 0;
  lines.forEach((segs, l) => {
    segs.forEach((s) => {
      const r = lookup(map, l + 1, s[0] + 1);
      if (s.length === 1) {
        assert.equal(r, null);
      } else {
        assert.deepEqual(r, {
          source: raw.sources[s[1]],
          line: s[2] + 1,
          column: s[3] + 1,
          name: s.length === 5 ? raw.names[s[4]] : null,
        });
      }
      checked++;
    });
  });
  assert.ok(checked > 100);
});

test("lookup uses 1-based line/column in and out, greatest lower bound on the line", () => {
  const map = parseSourceMap({
    version: 3,
    sources: ["src.ts"],
    names: ["foo"],
    // line 0: col 0 -> src 0:0 ; col 10 -> src 2:4 name foo
    // line 1: (empty)
    // line 2: col 4 -> src 5:0
    mappings: encodeMappings([[[0, 0, 0, 0], [10, 0, 2, 4, 0]], [], [[4, 0, 5, 0]]]),
  });
  assert.ok(map);
  // Generated 1:1 is 0-based 0:0.
  assert.deepEqual(lookup(map, 1, 1), { source: "src.ts", line: 1, column: 1, name: null });
  assert.deepEqual(lookup(map, 1, 10), { source: "src.ts", line: 1, column: 1, name: null });
  assert.deepEqual(lookup(map, 1, 11), { source: "src.ts", line: 3, column: 5, name: "foo" });
  assert.deepEqual(lookup(map, 1, 500), { source: "src.ts", line: 3, column: 5, name: "foo" });
  assert.equal(lookup(map, 2, 1), null); // empty line
  assert.equal(lookup(map, 3, 4), null); // before the first segment of the line
  assert.deepEqual(lookup(map, 3, 5), { source: "src.ts", line: 6, column: 1, name: null });
  assert.equal(lookup(map, 4, 1), null); // past the last line
  assert.equal(lookup(map, 0, 1), null);
  assert.equal(lookup(map, 1, 0), null);
  assert.equal(lookup(map, 1.5, 1), null);
  // Method form.
  assert.deepEqual(map.lookup(1, 11), lookup(map, 1, 11));
});

test("lookup on a missing map returns null", () => {
  assert.equal(lookup(null, 1, 1), null);
  assert.equal(lookup(undefined, 1, 1), null);
  assert.equal(lookup({ version: 3, mappings: "AAAA" }, 1, 1), null); // raw, not parsed
});

test("sourceRoot is joined to relative sources only", () => {
  const mappings = encodeMappings([[[0, 0, 0, 0], [1, 1, 0, 0], [2, 2, 0, 0], [3, 3, 0, 0]]]);
  const sources = ["a.ts", "/abs/b.ts", "webpack://x/c.ts", null];
  let map = parseSourceMap({ version: 3, sourceRoot: "src", sources, names: [], mappings });
  assert.equal(lookup(map, 1, 1).source, "src/a.ts");
  assert.equal(lookup(map, 1, 2).source, "/abs/b.ts");
  assert.equal(lookup(map, 1, 3).source, "webpack://x/c.ts");
  assert.equal(lookup(map, 1, 4).source, null);
  map = parseSourceMap({ version: 3, sourceRoot: "src/", sources, names: [], mappings });
  assert.equal(lookup(map, 1, 1).source, "src/a.ts");
  map = parseSourceMap({ version: 3, sourceRoot: "", sources, names: [], mappings });
  assert.equal(lookup(map, 1, 1).source, "a.ts");
});

test("out-of-order segments on a line are sorted", () => {
  // Hand-encoded: genCol 10 then genCol 2 (delta -8).
  const mappings = vlq(10) + "AAA," + vlq(-8) + "ACA"; // 2nd: same src, line+1
  const map = parseSourceMap({ version: 3, sources: ["s.ts"], names: [], mappings });
  assert.ok(map);
  assert.deepEqual(lookup(map, 1, 3), { source: "s.ts", line: 2, column: 1, name: null });
  assert.deepEqual(lookup(map, 1, 11), { source: "s.ts", line: 1, column: 1, name: null });
});

test("accepts JSON text, XSSI prefix, missing names, and already-parsed maps", () => {
  const raw = { version: 3, sources: ["s.ts"], mappings: "AAAA" };
  const text = JSON.stringify(raw);
  assert.ok(parseSourceMap(text));
  assert.ok(parseSourceMap(")]}'\n" + text));
  const parsed = parseSourceMap(raw);
  assert.ok(isParsedSourceMap(parsed));
  assert.equal(parseSourceMap(parsed), parsed);
  assert.equal(isParsedSourceMap(raw), false);
  // Empty segments and trailing separators are tolerated.
  assert.ok(parseSourceMap({ version: 3, sources: ["s.ts"], mappings: ";;AAAA,;;" }));
  assert.ok(parseSourceMap({ version: 3, sources: [], names: [], mappings: "" }));
});

test("invalid maps are treated as missing (null), never throw", () => {
  const bad = [
    undefined,
    null,
    42,
    "",
    "not json",
    "{",
    "[]",
    [],
    {},
    { version: 2, sources: [], mappings: "" },
    { version: "3", sources: [], mappings: "" },
    { version: 3, sources: ["a"] }, // no mappings
    { version: 3, sources: ["a"], mappings: 5 },
    { version: 3, sources: "a", mappings: "AAAA" },
    { version: 3, sources: ["a"], names: "x", mappings: "AAAA" },
    { version: 3, sources: ["a"], sourceRoot: 7, mappings: "AAAA" },
    { version: 3, sources: [7], mappings: "AAAA" },
    { version: 3, sources: ["a"], names: [7], mappings: "AAAAA" },
    { version: 3, sources: ["a"], mappings: "AA!A" }, // bad base64
    { version: 3, sources: ["a"], mappings: "AAAg" }, // truncated VLQ
    { version: 3, sources: ["a"], mappings: "AA" }, // 2 fields
    { version: 3, sources: ["a"], mappings: "AAA" }, // 3 fields
    { version: 3, sources: ["a"], mappings: "AAAAAA" }, // 6 fields
    { version: 3, sources: ["a"], mappings: "ACAA" }, // source index 1 out of range
    { version: 3, sources: ["a"], mappings: "AAAAA" }, // name index out of range
    { version: 3, sources: ["a"], mappings: "ADAA" }, // negative source index
    { version: 3, sources: ["a"], mappings: "AADA" }, // negative line
    { version: 3, sources: ["a"], mappings: "AAAD" }, // negative column
    { version: 3, sources: ["a"], mappings: "D" }, // negative generated column
    { version: 3, sources: ["a"], mappings: "gggggggggB" }, // VLQ far too large
    { version: 3, sources: ["a"], mappings: "AAAA\u00e9" }, // non-ASCII
    { version: 3, sections: "x" },
    { version: 3, sections: [{ offset: { line: 0, column: 0 } }] }, // no map
    { version: 3, sections: [{ offset: { line: 0, column: 0 }, url: "x.map" }] },
    { version: 3, sections: [{ offset: { line: -1, column: 0 }, map: { version: 3, sources: [], mappings: "" } }] },
    {
      version: 3,
      sections: [
        { offset: { line: 5, column: 0 }, map: { version: 3, sources: [], mappings: "" } },
        { offset: { line: 1, column: 0 }, map: { version: 3, sources: [], mappings: "" } },
      ],
    },
    { version: 3, sections: [{ offset: { line: 0, column: 0 }, map: { version: 3, sources: ["a"], mappings: "!" } }] },
  ];
  for (const b of bad) {
    assert.equal(parseSourceMap(b), null, `expected null for ${JSON.stringify(b)}`);
  }
  // A throwing getter on the input is swallowed too.
  const evil = {
    version: 3,
    get mappings() {
      throw new Error("boom");
    },
  };
  assert.equal(parseSourceMap(evil), null);
});

test("index maps (sections) offset lines and first-line columns", () => {
  const m1 = { version: 3, sources: ["one.ts"], names: [], mappings: encodeMappings([[[0, 0, 0, 0]], [[2, 0, 7, 3]]]) };
  const m2 = { version: 3, sources: ["two.ts"], names: ["f"], mappings: encodeMappings([[[0, 0, 4, 0, 0]], [[0, 0, 9, 1]]]) };
  const map = parseSourceMap({
    version: 3,
    sections: [
      { offset: { line: 0, column: 0 }, map: m1 },
      { offset: { line: 1, column: 20 }, map: m2 },
    ],
  });
  assert.ok(map);
  assert.deepEqual(lookup(map, 1, 1), { source: "one.ts", line: 1, column: 1, name: null });
  assert.deepEqual(lookup(map, 2, 3), { source: "one.ts", line: 8, column: 4, name: null });
  // Generated line 2 (1-based) col 21 is section 2's local 0:0.
  assert.deepEqual(lookup(map, 2, 21), { source: "two.ts", line: 5, column: 1, name: "f" });
  assert.deepEqual(lookup(map, 2, 19), { source: "one.ts", line: 8, column: 4, name: null });
  // Later lines of the section: columns are not offset.
  assert.deepEqual(lookup(map, 3, 1), { source: "two.ts", line: 10, column: 2, name: null });
});

// --- a real source map produced by esbuild -----------------------------------

const TS_SOURCE = `interface Msg {
  body: string;
  author: string;
}

type Checker = (m: Msg) => void;

export function validate(m: Msg): void {
  const len: number = m.body.length;
  if (len > 3) {
    throw new Error("too long: " + m.author);
  }
}

export const check: Checker = (m) => {
  validate(m);
};
`;
const THROW_LINE = 11; // 1-based line of `throw` in TS_SOURCE
const THROW_COLUMN = TS_SOURCE.split("\n")[THROW_LINE - 1].indexOf("new Error") + 1;

async function buildWithEsbuild(extra) {
  const result = await esbuild.build({
    stdin: { contents: TS_SOURCE, loader: "ts", sourcefile: "messages.ts" },
    outfile: "messages.js",
    format: "iife",
    globalName: "mod",
    sourcemap: true,
    write: false,
    logLevel: "silent",
    ...extra,
  });
  const js = result.outputFiles.find((f) => f.path.endsWith(".js")).text;
  const mapText = result.outputFiles.find((f) => f.path.endsWith(".js.map")).text;
  return { js, mapText };
}

function throwLocation(js) {
  const context = vm.createContext({});
  new vm.Script(js, { filename: "messages.js" }).runInContext(context);
  try {
    vm.runInContext("mod.check({ body: 'hello', author: 'bob' })", context);
  } catch (e) {
    const m = /\n    at [^\n]*\(messages\.js:(\d+):(\d+)\)/.exec(e.stack); // innermost frame
    assert.ok(m, e.stack);
    return { line: Number(m[1]), column: Number(m[2]) };
  }
  assert.fail("did not throw");
}

test("esbuild source map: a throw in generated JS maps back to the TS line", async () => {
  const { js, mapText } = await buildWithEsbuild({});
  const map = parseSourceMap(mapText);
  assert.ok(map);
  const loc = throwLocation(js);
  assert.notEqual(loc.line, THROW_LINE, "generated line should differ from the TS line");
  const orig = lookup(map, loc.line, loc.column);
  assert.equal(orig.source, "messages.ts");
  assert.equal(orig.line, THROW_LINE);
  assert.equal(orig.column, THROW_COLUMN);
});

test("esbuild source map: minified single-line output still maps to the TS line", async () => {
  const { js, mapText } = await buildWithEsbuild({ minify: true });
  const map = parseSourceMap(mapText);
  assert.ok(map);
  const loc = throwLocation(js);
  const orig = lookup(map, loc.line, loc.column);
  assert.equal(orig.source, "messages.ts");
  assert.equal(orig.line, THROW_LINE);
});

test("esbuild source map: every mapping esbuild emits decodes to an in-range TS position", async () => {
  const { js, mapText } = await buildWithEsbuild({});
  const map = parseSourceMap(mapText);
  const tsLines = TS_SOURCE.split("\n");
  const jsLines = js.split("\n");
  let hits = 0;
  jsLines.forEach((text, i) => {
    for (let col = 1; col <= text.length; col++) {
      const r = lookup(map, i + 1, col);
      if (r === null) continue;
      hits++;
      assert.equal(r.source, "messages.ts");
      assert.ok(r.line >= 1 && r.line <= tsLines.length, `line ${r.line}`);
      assert.ok(r.column >= 1 && r.column <= tsLines[r.line - 1].length + 1, `col ${r.column}`);
    }
  });
  assert.ok(hits > 0);
});
