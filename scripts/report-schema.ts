/** `npm run schema`: writes docs/report.schema.json from the zod report schema. */
import { writeFileSync } from 'node:fs';
import { reportJsonSchema } from '../shared/report/report-schema.js';

writeFileSync('docs/report.schema.json', `${JSON.stringify(reportJsonSchema(), null, 2)}\n`);
console.log('docs/report.schema.json written');
