import { pipeline, fromArray, MemoryCheckpointStorage } from '../src/index.js';

import { toPostgres, connectPostgres } from '../src/postgres/index.js';
const url = 'postgresql://root@127.0.0.1:5432/test';
const { pool } = await connectPostgres({ connectionString: url });
await pool.query('DROP TABLE IF EXISTS smoke; CREATE TABLE smoke (word text primary key, count bigint check (count < 1000))');
const records = Array.from({ length: 20000 }, (_, i) => ({ word: `w${i % 5000}`, count: i % 1200 }));
const dl: unknown[] = [];
const h = pipeline(fromArray(records)).to(toPostgres({ connectionString: url, table: 'smoke', columns: ['word', 'count'], key: 'word' })).run({ checkpoint: { storage: new MemoryCheckpointStorage(), interval: 50 }, deadLetters: { name: 'dl', write: (l) => { dl.push(...l); } } });
const r = await h.done;
console.log(r.checkpoints, dl.length, (dl[0] as any)?.error?.message);
console.log((await pool.query('select count(*), sum(count) from smoke')).rows, (await pool.query('select * from sluice_commits')).rows, (await pool.query('select count(*) from sluice_staged')).rows);
await pool.end();
