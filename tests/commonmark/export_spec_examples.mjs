// Writes the CommonMark spec's examples (npm commonmark-spec, pinned in the
// root package-lock.json) as JSON to the path given as the first argument:
// {"version": "0.31.2", "examples": [{"number", "section", "markdown", "html"}…]}.
// The spec shows tabs as "→"; they are written as real tabs, as the spec's own
// test runner does.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const spec = require('commonmark-spec');
const { version } = require('commonmark-spec/package.json');

const out = process.argv[2];
if (!out) {
  console.error('usage: node export_spec_examples.mjs OUT.json');
  process.exit(2);
}
const tabs = (s) => s.replace(/→/g, '\t');
const examples = spec.tests.map((t) => ({
  number: t.number,
  section: t.section,
  markdown: tabs(t.markdown),
  html: tabs(t.html),
}));
writeFileSync(out, JSON.stringify({ version, examples }));
console.log(`export_spec_examples: ${examples.length} examples of CommonMark ${version}`);
