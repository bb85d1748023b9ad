import { readFileSync } from 'node:fs';

/** The suffix that names a file holding a setting's value (Docker and Kubernetes secrets are mounted as files). */
export const FILE_SUFFIX = '_FILE';

/**
 * Every setting may be given as `NAME_FILE`, the path of a file holding its value, so that secrets
 * need not sit in the environment (where `docker inspect`, `/proc/PID/environ` and crash reports show
 * them) and a PEM key keeps its real newlines. One trailing newline is dropped, as editors and
 * `kubectl create secret --from-file` leave one. A setting given both ways, or a file that cannot be
 * read, is a problem naming the variables; a file's content never appears in a message.
 */
export function withFileSettings(
  env: Record<string, string | undefined>,
  known: Set<string>,
): { env: Record<string, string | undefined>; problems: string[] } {
  const out = { ...env };
  const problems: string[] = [];
  for (const [fileVar, path] of Object.entries(env)) {
    if (!fileVar.endsWith(FILE_SUFFIX) || path === undefined || path === '') continue;
    const name = fileVar.slice(0, -FILE_SUFFIX.length);
    if (!known.has(name)) continue;
    if (env[name] !== undefined && env[name] !== '') {
      problems.push(`${name} and ${fileVar}: both are set; give the value one way`);
      continue;
    }
    try {
      out[name] = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push(`${fileVar}: cannot read ${JSON.stringify(path)} (${code})`);
    }
  }
  return { env: out, problems };
}
