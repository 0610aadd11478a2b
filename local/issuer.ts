/**
 * The local development issuer: an RS256 key pair kept under DATA_DIR (made on
 * first use, never committed), its JWKS, and tokens for named users. It stands
 * in for Cognito locally; the gateway checks its tokens exactly as API
 * Gateway's JWT authorizer checks Cognito's.
 */
import { createHash, randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';

/** The `iss` of local tokens (the local stage's `jwtIssuer`). */
export const LOCAL_ISSUER = 'urn:todo-api:local-issuer';
/** The `aud` of local tokens (the local stage's `jwtAudience`), and the one client of its sign-in (`client_id`). */
export const LOCAL_AUDIENCE = 'todo-api-local';
/** Where the local server publishes the issuer's public keys (its JWKS). */
export const JWKS_PATH = '/.well-known/jwks.json';

const ALG = 'RS256';

export interface SigningKey {
  kid: string;
  privateJwk: JWK;
  /** The public half, as served in the JWKS. */
  publicJwk: JWK;
}

async function newSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  const kid = randomUUID();
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: ALG };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' };
  return { kid, privateJwk, publicJwk };
}

/**
 * The issuer's key from `<dataDir>/issuer/signing-key.json`, created there on
 * first use (file mode 0600). Without a data directory the key lives in memory.
 */
export async function loadSigningKey(dataDir?: string): Promise<SigningKey> {
  if (!dataDir) return newSigningKey();
  const dir = join(dataDir, 'issuer');
  const file = join(dir, 'signing-key.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as SigningKey;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dir, { recursive: true });
  // A private key never belongs in git, wherever DATA_DIR is.
  await writeFile(join(dir, '.gitignore'), '*\n');
  const key = await newSigningKey();
  // Written whole under a temporary name, then linked into place: link() fails if the file exists, so when another
  // process (the server, `npm run token`) made the key meanwhile, theirs is kept, and nobody reads a half-written file.
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temporary, JSON.stringify(key), { mode: 0o600 });
  try {
    await link(temporary, file);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return JSON.parse(await readFile(file, 'utf8')) as SigningKey;
  } finally {
    await unlink(temporary);
  }
}

/**
 * The stable subject of a local user: a UUID derived from the user name, so the
 * owner of their todos survives restarts and never *is* the (changeable) name.
 */
export function localSubject(user: string): string {
  const hex = createHash('sha256').update(`todo-api-local-user\0${user}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface TokenOptions {
  /** Lifetime, as jose reads it: "1h", "30m", "7d"… (default 1h). */
  expiresIn?: string;
  audience?: string;
  issuer?: string;
  /** The `nonce` a client sent with its OpenID Connect sign-in, returned in the token (none by default). */
  nonce?: string;
}

/** A signed ID token for `user`, like the ones Cognito issues. */
export async function issueToken(key: SigningKey, user: string, options: TokenOptions = {}): Promise<string> {
  const privateKey = await importJWK(key.privateJwk, ALG);
  const claims = { token_use: 'id', 'cognito:username': user, preferred_username: user };
  return new SignJWT(options.nonce === undefined ? claims : { ...claims, nonce: options.nonce })
    .setProtectedHeader({ alg: ALG, kid: key.kid, typ: 'JWT' })
    .setSubject(localSubject(user))
    .setIssuer(options.issuer ?? LOCAL_ISSUER)
    .setAudience(options.audience ?? LOCAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '1h')
    .sign(privateKey);
}

/**
 * A signed access token for `user`, shaped like Cognito's: no `aud`, but `client_id` (the local audience), `scope`
 * and `token_use: access`. The local sign-in hands it out beside the ID token; API Gateway's JWT authorizer, and
 * the local one, accept it by its `client_id`, as they accept Cognito's access tokens.
 */
export async function issueAccessToken(key: SigningKey, user: string, scope: string): Promise<string> {
  const privateKey = await importJWK(key.privateJwk, ALG);
  return new SignJWT({ token_use: 'access', client_id: LOCAL_AUDIENCE, scope, username: user })
    .setProtectedHeader({ alg: ALG, kid: key.kid, typ: 'JWT' })
    .setSubject(localSubject(user))
    .setIssuer(LOCAL_ISSUER)
    .setIssuedAt()
    .setExpirationTime('1h')
    .setJti(randomUUID())
    .sign(privateKey);
}
