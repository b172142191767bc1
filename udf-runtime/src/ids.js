// v.id(table) against the database: the resolver validate.js asks whether a
// string stands for a document of a table. The host decodes the id and maps
// its table number through udf's registry (typed op db/idTable); answers are
// kept for the running call only, as a table created meanwhile could change
// them for a later one.
export function makeIds(ops) {
  const answers = new Map();
  return {
    // null when id may stand for a document of table, else {table, system}
    tableOf(id, table) {
      const key = table + "\u0000" + id;
      let answer = answers.get(key);
      if (answer === undefined) {
        const r = ops.idTable(id, table);
        answer = r.ok ? null : { table: r.table ?? null, system: r.system === true };
        answers.set(key, answer);
      }
      return answer;
    },
    // the running call ended: forget its answers
    endCall() {
      if (answers.size !== 0) answers.clear();
    },
  };
}
