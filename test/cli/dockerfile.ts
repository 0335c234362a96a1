import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The image's command path: ENTRYPOINT + CMD and the HEALTHCHECK command, as the Dockerfile states them. */
export function dockerfileCommand(): {
  entrypoint: string[];
  cmd: string[];
  healthcheck: string;
  /** NODE_COMPILE_CACHE as the image sets it. */
  compileCache: string | undefined;
  /** The CLI commands the build runs as the image's user to fill that cache (their arguments). */
  warmUp: string[][];
  /** The state volume's owner (uid, gid) and mode, as the build makes it. */
  stateDir: { uid: number; gid: number; mode: number };
  text: string;
} {
  const text = readFileSync(join(__dirname, '../../Dockerfile'), 'utf8').replace(/\\\n\s*/g, '');
  const json = (name: string) =>
    JSON.parse(new RegExp(`^${name} (\\[.*\\])$`, 'm').exec(text)![1]!) as string[];
  const healthcheck = /^HEALTHCHECK .*? CMD (.*)$/m.exec(text)![1]!;
  const compileCache = /^ENV NODE_COMPILE_CACHE=(\S+)$/m.exec(text)?.[1];
  const afterUser = text.slice(text.search(/^USER /m));
  const warmUp = [...afterUser.matchAll(/node dist\/src\/cli\/main\.js ([^&>]*)/g)].map((m) =>
    m[1]!.trim().split(/\s+/),
  );
  const [, uid, gid, mode] =
    /chown (\d+):(\d+) \/var\/lib\/guardrail && chmod (0\d+) \/var\/lib\/guardrail/.exec(text)!;
  const stateDir = { uid: Number(uid), gid: Number(gid), mode: parseInt(mode!, 8) };
  return {
    entrypoint: json('ENTRYPOINT'),
    cmd: json('CMD'),
    healthcheck,
    compileCache,
    warmUp,
    stateDir,
    text,
  };
}
