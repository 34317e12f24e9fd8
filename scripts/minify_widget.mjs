// Minifies the embed widget for the build: node scripts/minify_widget.mjs IN OUT
// (IN is a file of web/widget: embed.js, embed-more.js or embed.css). JavaScript goes through terser,
// CSS through csso (both from package.json's devDependencies, `npm ci`). The
// server's placeholders (__AMUR_…__) must come out unchanged: the build fails
// when a minifier folded one away.
import fs from 'node:fs';
import { minify as terser } from 'terser';
import { minify as csso } from 'csso';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: minify_widget.mjs IN OUT');
  process.exit(2);
}
const source = fs.readFileSync(input, 'utf8');
let out;
if (input.endsWith('.js')) {
  const r = await terser(source, {
    // Function expressions become arrows (embed.js uses neither `this` nor
    // `arguments`, and constructs none of them). No unsafe_comps or
    // unsafe_math: the widget relies on NaN comparisons and exact arithmetic.
    ecma: 2020,
    compress: { passes: 3, unsafe_arrows: true, unsafe_methods: true },
    mangle: true,
    format: { comments: false },
  });
  out = r.code;
} else if (input.endsWith('.css')) {
  out = csso(source, { restructure: false }).css;
} else {
  console.error(`minify_widget.mjs: not .js or .css: ${input}`);
  process.exit(2);
}
const placeholders = (s) => (s.match(/__AMUR_[A-Z_]+__/g) || []).sort().join(' ');
if (placeholders(out) !== placeholders(source)) {
  console.error(`minify_widget.mjs: ${input}: placeholders changed: ${placeholders(source)} -> ${placeholders(out)}`);
  process.exit(1);
}
fs.writeFileSync(output, out + '\n');
