/** Named statements on kairos_api_keys for the SQLite driver. */

const KEY_COLUMNS = 'id, name, hash, scopes, created_at AS createdAt, revoked_at AS revokedAt';

export const apiKeySql = {
  /** apiKeyGet — :id */
  get: `SELECT ${KEY_COLUMNS} FROM kairos_api_keys WHERE id = :id`,

  /** apiKeyList — every key, oldest first. */
  list: `SELECT ${KEY_COLUMNS} FROM kairos_api_keys ORDER BY created_at, id`,

  /** apiKeyCreate — :id :name :hash :scopes :now */
  insert: `
    INSERT INTO kairos_api_keys (id, name, hash, scopes, created_at)
    VALUES (:id, :name, :hash, :scopes, :now)
    RETURNING ${KEY_COLUMNS}`,

  /** apiKeyCreate with onlyIfNone — as insert; writes nothing when any key exists (the write lock makes it atomic). */
  insertIfNone: `
    INSERT INTO kairos_api_keys (id, name, hash, scopes, created_at)
    SELECT :id, :name, :hash, :scopes, :now
    WHERE NOT EXISTS (SELECT 1 FROM kairos_api_keys)
    RETURNING ${KEY_COLUMNS}`,

  /** apiKeyRevoke — :id :now; only a key not yet revoked. */
  revoke: `
    UPDATE kairos_api_keys
    SET revoked_at = :now
    WHERE id = :id
      AND revoked_at IS NULL`,
} as const;
