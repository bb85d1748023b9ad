// Bench users written straight into a migrated SQLite file: `bench<i>` with the one password
// BENCH_PASSWORD (one argon2id hash shared by all, so a million users take seconds, not hours).
const Database = require('better-sqlite3');
const { randomBytes } = require('node:crypto');

const BENCH_PASSWORD = 'bench-pass-Secret!';

function seedUsers(file, count, passwordHash) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const insert = db.prepare(
    `INSERT INTO users (id, institution_id, username, username_norm, password_hash, auth_epoch, terms_accepted_version,
       created_at, updated_at) VALUES (?, 'default', ?, ?, ?, 0, 1, ?, ?)`,
  );
  const now = Date.now();
  const batch = db.transaction((from, to) => {
    for (let i = from; i < to; i++) {
      const name = `bench${i}`;
      insert.run(randomBytes(16).toString('base64url').slice(0, 22), name, name, passwordHash, now, now);
    }
  });
  for (let from = 0; from < count; from += 20_000) batch(from, Math.min(count, from + 20_000));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('ANALYZE');
  db.close();
}

module.exports = { seedUsers, BENCH_PASSWORD };
