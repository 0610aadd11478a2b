/**
 * AWS Signature Version 4 of the one kind of request the DynamoDB client sends: a POST of a JSON body to `/`, with
 * no query. It replaces `aws4` (a general signer for any service and request shape) because aws4 cost a cold start
 * 1 to 2 ms more to load and sign once (`bench/coldstart/imports.ts`, signingImport: 4.7 to 5.9 ms against 3.1 to
 * 4.2 ms): the signing itself is a few SHA-256 hashes and HMACs from node:crypto. It is held to the AWS SDK's own
 * signer, a second implementation, by `test/unit/sigv4.test.ts` and `test/integration/dynamodb-client.test.ts`.
 *
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { createHmac, hash } from 'node:crypto';

/** AWS credentials as Lambda provides them in its environment. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignerOptions {
  credentials: Credentials;
  region: string;
  service: string;
}

/** A POST to `/` on `host` (with its port, if any) carrying `body`, with the request's own headers (lower case). */
export interface UnsignedPost {
  host: string;
  headers: Record<string, string>;
  body: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

// crypto.hash, the one-shot form: its first call costs a third of createHash's (which builds a Hash stream).
const sha256Hex = (data: string) => hash('sha256', data, 'hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/**
 * A signer for one set of credentials, region and service. It returns the headers to send: the request's own, plus
 * `host`, `content-length`, `x-amz-date`, `x-amz-security-token` (with temporary credentials) and `authorization`,
 * all of them signed. The signing key (four HMACs) changes once a day: it is derived once per day, not per request.
 */
export function createSigner({ credentials, region, service }: SignerOptions) {
  let keyDate = '';
  let key = Buffer.alloc(0);
  const signingKey = (date: string) => {
    if (date !== keyDate) {
      key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, date), region), service), 'aws4_request');
      keyDate = date;
    }
    return key;
  };

  return function sign({ host, headers, body }: UnsignedPost, now = new Date()): Record<string, string> {
    // 20150830T123600Z: ISO 8601 basic format, to the second.
    const amzDate = `${now.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
    const date = amzDate.slice(0, 8);
    const signed: Record<string, string> = {
      ...headers,
      host,
      'content-length': String(Buffer.byteLength(body, 'utf8')),
      'x-amz-date': amzDate,
    };
    if (credentials.sessionToken) signed['x-amz-security-token'] = credentials.sessionToken;
    const names = Object.keys(signed).sort();
    const signedNames = names.join(';');
    const canonicalRequest = [
      'POST',
      '/',
      '',
      ...names.map((name) => `${name}:${String(signed[name]).trim().replace(/\s+/g, ' ')}`),
      '',
      signedNames,
      sha256Hex(body),
    ].join('\n');
    const scope = `${date}/${region}/${service}/aws4_request`;
    const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
    const signature = createHmac('sha256', signingKey(date)).update(stringToSign, 'utf8').digest('hex');
    signed.authorization =
      `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, ` +
      `SignedHeaders=${signedNames}, Signature=${signature}`;
    return signed;
  };
}
