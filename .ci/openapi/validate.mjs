// validate.mjs FILE: checks FILE (JSON) against the official OpenAPI 3.x
// schema with @seriousme/openapi-schema-validator, which does not share
// any code with the Go program that wrote the document. Prints the
// validator's verdict as JSON; exits 0 when the document is valid, 1
// when it is not, 2 when it cannot be read.
import { readFile } from "node:fs/promises";
import { Validator } from "@seriousme/openapi-schema-validator";

const file = process.argv[2];
if (!file) {
  console.error("usage: node validate.mjs openapi.json");
  process.exit(2);
}
let doc;
try {
  doc = JSON.parse(await readFile(file, "utf8"));
} catch (e) {
  console.error(`cannot read ${file}: ${e.message}`);
  process.exit(2);
}
const validator = new Validator();
const res = await validator.validate(doc);
console.log(JSON.stringify({ valid: res.valid, version: validator.version, errors: res.errors ?? [] }, null, 2));
process.exit(res.valid ? 0 : 1);
