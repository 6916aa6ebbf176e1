// conform.mjs OPENAPI SAMPLES: checks real answers of the API against
// the schemas the OpenAPI document gives for them, with Ajv (JSON Schema
// 2020-12, the dialect of OpenAPI 3.1). SAMPLES is a JSON array of
// {"name", "schema" (a JSON pointer into the document, such as
// "#/paths/~1api~1v1~1me/get/responses/200/content/application~1json/schema"),
// "body"}. Prints one line per sample that does not conform; exits 0 when
// all conform, 1 when one does not, 2 on bad input.
import { readFile } from "node:fs/promises";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const [docFile, samplesFile] = process.argv.slice(2);
if (!docFile || !samplesFile) {
  console.error("usage: node conform.mjs openapi.json samples.json");
  process.exit(2);
}
let doc, samples;
try {
  doc = JSON.parse(await readFile(docFile, "utf8"));
  samples = JSON.parse(await readFile(samplesFile, "utf8"));
} catch (e) {
  console.error(`cannot read the input: ${e.message}`);
  process.exit(2);
}
// OpenAPI's own keywords inside schemas are not JSON Schema's.
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(doc, "openapi.json");
let bad = 0;
for (const s of samples) {
  const validate = ajv.compile({ $ref: "openapi.json" + s.schema });
  if (!validate(s.body)) {
    bad++;
    console.log(`${s.name}: ${ajv.errorsText(validate.errors)}`);
  }
}
console.log(`${samples.length - bad} of ${samples.length} answers conform`);
process.exit(bad === 0 ? 0 : 1);
