-- 009_api_keys: API keys of the HTTP service. Only a SHA-256 of each key is kept (the key itself is shown once, at
-- creation); `id` is the public part of the key, so a request's key is found by id and its hash compared in constant
-- time. Times are epoch ms; scopes are a JSON array of strings.

CREATE TABLE kairos_api_keys (
  id          TEXT    PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
  name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
  hash        TEXT    NOT NULL CHECK (length(hash) = 64),
  scopes      TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  revoked_at  INTEGER
) WITHOUT ROWID;
