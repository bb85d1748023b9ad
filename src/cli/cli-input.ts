import { ClassConstructor, plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { PxError } from '@/common/errors/px.error';
import { CreateUserDto, SetPasswordDto } from '@/staff/admin/admin.dto';
import { CliIo, UsageError } from './cli-context';

/** A DTO field as the flag that sets it (`institution_id` is `--institution-id`), so errors name what was typed. */
const flagOf = (field: string) => `--${field.replace(/_/g, '-')}`;
const FLAG_OF: Record<string, string> = { terms_accepted_version: '--terms-version' };

/**
 * The same DTO, with the same class-validator rules, as the admin API takes: refused as
 * INVALID_REQUEST naming each flag, before anything boots.
 */
export function validated<T extends object>(
  cls: ClassConstructor<T>,
  plain: Record<string, unknown>,
  names: Record<string, string> = FLAG_OF,
): T {
  const dto = plainToInstance(cls, dropUndefined(plain));
  const errors = validateSync(dto, { whitelist: true, forbidUnknownValues: true, stopAtFirstError: true });
  if (errors.length)
    throw PxError.invalid(errors.flatMap((e) => describe(e, names[e.property] ?? flagOf(e.property))).join('; '));
  return dto;
}

export interface CreateUserOptions {
  username: string;
  password?: string;
  passwordStdin?: boolean;
  institutionId?: string;
  phone?: string;
  email?: string;
  totp?: boolean;
  kba?: string[];
  termsVersion?: string;
  mfaPreference?: string;
}

/** users:create's options as the CreateUserDto of POST /admin/users. */
export async function createUserDto(o: CreateUserOptions, stdin: CliIo['stdin']): Promise<CreateUserDto> {
  if ((o.password === undefined) === !o.passwordStdin)
    throw new UsageError('users:create needs one of --password and --password-stdin');
  const password = o.passwordStdin ? await readPassword(stdin) : o.password;
  return validated(CreateUserDto, {
    username: o.username,
    password,
    institution_id: o.institutionId,
    phone: o.phone,
    email: o.email,
    totp: o.totp,
    kba: o.kba?.map(kbaPair),
    terms_accepted_version: o.termsVersion,
    mfa_preference: o.mfaPreference,
  });
}

/** `--kba "Question?=Answer"`: split at the first `=`, since questions end in `?` and answers are free text. */
function kbaPair(raw: string, i: number): { question: string; answer: string } {
  const at = raw.indexOf('=');
  if (at < 0) throw PxError.invalid(`--kba #${i + 1}: must be "Question?=Answer"`);
  return { question: raw.slice(0, at).trim(), answer: raw.slice(at + 1).trim() };
}

function describe(error: ValidationError, path: string): string[] {
  const own = Object.values(error.constraints ?? {}).map((m) => `${path}: ${m}`);
  const nested = (error.children ?? []).flatMap((c) =>
    describe(c, /^\d+$/.test(c.property) ? `${path} #${Number(c.property) + 1}` : `${path} ${c.property}`),
  );
  return [...own, ...nested];
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** All of stdin, less the one newline that `echo` or a here-string adds; kept out of argv and shell history. */
async function readPassword(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/**
 * users:reset-password's new password, never from argv (where `ps` and the shell history show it):
 * typed twice at a terminal without being echoed, or else all of standard input, as
 * --password-stdin reads it. Checked as POST /admin/users/:id/password checks it.
 */
export async function newPassword(io: CliIo): Promise<string> {
  let password: string;
  const { stdin, stderr } = io;
  if (stdin.isTTY && stdin.setRawMode) {
    const terminal = { stdin, setRawMode: stdin.setRawMode.bind(stdin), stderr };
    password = await promptHidden('New password: ', terminal);
    if ((await promptHidden('Again: ', terminal)) !== password) throw PxError.invalid('the two passwords differ');
  } else password = await readPassword(stdin);
  return validated(SetPasswordDto, { password }, { password: 'the new password' }).password;
}

/** Ctrl-C at a password prompt: the command ends as an interrupted program does (exit 130). */
export class Interrupted extends Error {}

interface Terminal {
  stdin: NodeJS.ReadableStream;
  setRawMode: (raw: boolean) => unknown;
  stderr: NodeJS.WritableStream;
}

/** One line typed at the terminal, not echoed; on the terminal's own stream (stderr), so stdout stays the answer. */
function promptHidden(question: string, { stdin, setRawMode, stderr }: Terminal): Promise<string> {
  // Echo goes off before the question is shown: whatever is typed as soon as it appears is not echoed.
  setRawMode(true);
  stderr.write(question);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed: string[] = [];
    const done = () => {
      stdin.off('data', onData);
      setRawMode(false);
      stdin.pause();
      stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          done();
          return resolve(typed.join(''));
        }
        // Ctrl-C: raw mode turns it into a character; leave as an interrupted program does.
        if (ch === '\u0003') {
          done();
          return reject(new Interrupted('interrupted'));
        }
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed.push(ch);
      }
    };
    stdin.on('data', onData);
  });
}
