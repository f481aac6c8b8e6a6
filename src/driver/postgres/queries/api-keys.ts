/** Named statements on kairos_api_keys for the PostgreSQL driver. */
import { nowOr, type Tables } from './tables.js';

const KEY_COLUMNS = 'id, name, hash, scopes, created_at AS "createdAt", revoked_at AS "revokedAt"';

/** The statements over kairos_api_keys, on the tables of `t`. */
export function apiKeySql(t: Tables) {
  return {
    /** apiKeyGet — $1 id. */
    get: `SELECT ${KEY_COLUMNS} FROM ${t.apiKeys} WHERE id = $1`,

    /** apiKeyList — every key, oldest first. */
    list: `SELECT ${KEY_COLUMNS} FROM ${t.apiKeys} ORDER BY created_at, id`,

    /** apiKeyCreate — $1 id $2 name $3 hash $4 scopes $5 now. */
    insert: `
      INSERT INTO ${t.apiKeys} (id, name, hash, scopes, created_at)
      VALUES ($1, $2, $3, $4, ${nowOr('$5')})
      RETURNING ${KEY_COLUMNS}`,

    /**
     * apiKeyCreate with onlyIfNone — as insert. Runs after lockForFirst in the same transaction: under READ COMMITTED
     * two transactions could otherwise both see an empty table.
     */
    insertIfNone: `
      INSERT INTO ${t.apiKeys} (id, name, hash, scopes, created_at)
      SELECT $1, $2, $3, $4, ${nowOr('$5')}
      WHERE NOT EXISTS (SELECT 1 FROM ${t.apiKeys})
      RETURNING ${KEY_COLUMNS}`,

    /** Taken before insertIfNone; conflicts with itself, so first-start key creation is serialized. */
    lockForFirst: `LOCK TABLE ${t.apiKeys} IN SHARE ROW EXCLUSIVE MODE`,

    /** apiKeyRevoke — $1 id $2 now; only a key not yet revoked. */
    revoke: `
      UPDATE ${t.apiKeys}
      SET revoked_at = ${nowOr('$2')}
      WHERE id = $1
        AND revoked_at IS NULL`,
  };
}
