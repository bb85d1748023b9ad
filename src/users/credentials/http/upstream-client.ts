import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { AppConfig } from '@/config/app-config';
import { UpstreamFailure } from '@/users/credentials/upstream';
import { signature } from './signature';
import { UpstreamAnswer, parseAnswer } from './upstream-answer';

export interface VerifyRequest {
  username: string;
  password: string;
  institution_id: string;
  request_id: string | null;
}

// An answer is a few hundred bytes; anything far larger is not one.
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * `POST UPSTREAM_VERIFY_URL` exactly as docs/credential-sources.md writes it: a JSON body, signed over the
 * timestamp and its bytes, optionally with a client certificate, on kept-alive connections (a TLS
 * handshake per login would double its cost). Everything that is not one of the four answers in time
 * is an UpstreamFailure.
 */
export class UpstreamClient {
  private readonly url: URL;
  private readonly agent: http.Agent;

  constructor(private readonly config: AppConfig) {
    this.url = new URL(config.UPSTREAM_VERIFY_URL!);
    const pool = { keepAlive: true, maxSockets: config.UPSTREAM_POOL_SIZE, maxFreeSockets: config.UPSTREAM_POOL_SIZE };
    this.agent =
      this.url.protocol === 'https:'
        ? new https.Agent({
            ...pool,
            cert: config.UPSTREAM_CLIENT_CERT ? readFileSync(config.UPSTREAM_CLIENT_CERT) : undefined,
            key: config.UPSTREAM_CLIENT_KEY ? readFileSync(config.UPSTREAM_CLIENT_KEY) : undefined,
            ca: config.UPSTREAM_CA_FILE ? readFileSync(config.UPSTREAM_CA_FILE) : undefined,
          })
        : new http.Agent(pool);
  }

  async verify(request: VerifyRequest): Promise<UpstreamAnswer> {
    const body = Buffer.from(JSON.stringify(request), 'utf8');
    const timestamp = Math.floor(Date.now() / 1000);
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/json',
      'Content-Length': body.length,
      Accept: 'application/json',
      'X-PXAUTH-Timestamp': String(timestamp),
    };
    if (this.config.UPSTREAM_HMAC_KEY)
      headers['X-PXAUTH-Signature'] = signature(this.config.UPSTREAM_HMAC_KEY, timestamp, body);
    if (request.request_id) headers['X-Request-Id'] = request.request_id;
    const { status, text } = await this.post(body, headers);
    if (status !== 200) throw new UpstreamFailure('bad_status', String(status));
    const answer = parseAnswer(text);
    if (!answer) throw new UpstreamFailure('malformed');
    return answer;
  }

  private post(body: Buffer, headers: Record<string, string | number>): Promise<{ status: number; text: string }> {
    const lib = this.url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(this.url, { method: 'POST', agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_ANSWER_BYTES) req.destroy(new UpstreamFailure('malformed', 'answer too large'));
          else chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => reject(failure(err)));
      });
      // The whole exchange, connection to last byte, within UPSTREAM_TIMEOUT.
      const timer = setTimeout(() => req.destroy(new UpstreamFailure('timeout')), this.config.UPSTREAM_TIMEOUT);
      req.on('close', () => clearTimeout(timer));
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(failure(err));
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function failure(err: unknown): UpstreamFailure {
  if (err instanceof UpstreamFailure) return err;
  const raw = (err as { code?: unknown }).code;
  const code = typeof raw === 'string' ? raw : '';
  if (/CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO|HOSTNAME/.test(code)) return new UpstreamFailure('tls', code);
  return new UpstreamFailure('unreachable', code || undefined);
}
