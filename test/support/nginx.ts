import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './replica';

const ROOT = join(__dirname, '..', '..');

/**
 * Debian's nginx running deploy/nginx.conf itself, as compose.yaml mounts it, with only the upstream
 * replicas and the listening port moved to loopback; one process (no workers), files in `dir`.
 */
export class Nginx {
  output = '';
  private constructor(
    private readonly child: ChildProcess,
    readonly base: string,
  ) {
    child.stdout!.on('data', (d) => (this.output += d));
    child.stderr!.on('data', (d) => (this.output += d));
  }

  static async start(dir: string, upstreams: string[]): Promise<Nginx> {
    const port = await freePort();
    let site = readFileSync(join(ROOT, 'deploy', 'nginx.conf'), 'utf8').replace(
      'listen 3000;',
      `listen 127.0.0.1:${port};`,
    );
    upstreams.forEach((hostPort, i) => (site = site.replace(`pxauth-${i + 1}:3000`, hostPort)));
    mkdirSync(join(dir, 'temp'), { recursive: true });
    writeFileSync(join(dir, 'site.conf'), site);
    writeFileSync(
      join(dir, 'nginx.conf'),
      `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events {}
http {
  access_log off;
  client_body_temp_path ${dir}/temp/body;
  proxy_temp_path ${dir}/temp/proxy;
  fastcgi_temp_path ${dir}/temp/fastcgi;
  uwsgi_temp_path ${dir}/temp/uwsgi;
  scgi_temp_path ${dir}/temp/scgi;
  include ${dir}/site.conf;
}
`,
    );
    const child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], {
      env: { ...process.env, TZ: 'UTC' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const n = new Nginx(child, `http://127.0.0.1:${port}`);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`nginx exited ${child.exitCode}: ${n.output}`);
      try {
        await fetch(`${n.base}/healthz`);
        return n;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await n.stop();
    throw new Error(`nginx did not listen: ${n.output}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}
