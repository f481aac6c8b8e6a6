// Handler module of the chaos run (scripts/chaos.mjs), loaded by `kairos work --handlers`. Every start is appended to
// the ledger file named by KAIROS_TEST_LEDGER as "start <pid> <job id> <attempt>".
import { appendFileSync } from 'node:fs';

const ledger = process.env.KAIROS_TEST_LEDGER;
const workMs = Number(process.env.KAIROS_TEST_WORK_MS ?? '5');

export async function chaos(job) {
  appendFileSync(ledger, `start ${process.pid} ${job.id} ${job.attempt}\n`);
  await new Promise((resolve) => setTimeout(resolve, workMs));
}
