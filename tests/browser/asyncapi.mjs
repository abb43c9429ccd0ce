// Validates an AsyncAPI document with the official parser (@asyncapi/parser), which checks it
// against the specification's JSON Schema and its rules (references, operation messages in
// their channel, …). Usage: node asyncapi.mjs <url or file>. Exits non-zero listing every
// diagnostic of severity error; prints the document's version and message count otherwise.
import { readFile } from "node:fs/promises";
import parserPackage from "@asyncapi/parser";

const { Parser, DiagnosticSeverity } = parserPackage;

const source = process.argv[2];
if (!source) {
  console.error("usage: node asyncapi.mjs <url or file>");
  process.exit(2);
}
const text = /^https?:\/\//.test(source)
  ? await (await fetch(source)).text()
  : await readFile(source, "utf8");

const { document, diagnostics } = await new Parser().parse(text);
const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
for (const d of errors) {
  console.error(`${d.code}: ${d.message} at ${JSON.stringify(d.path)}`);
}
if (errors.length > 0 || !document) {
  console.error(`${errors.length} error(s): the document is not valid AsyncAPI`);
  process.exit(1);
}
console.log(`valid AsyncAPI ${document.version()}: ${document.allMessages().length} messages`);
