import { describe, expect, it } from 'vitest';
import { jsonLogger, silentLogger } from '../../src/core/logger.js';

function captured(minimum?: Parameters<typeof jsonLogger>[0]) {
  const lines: string[] = [];
  const logger = jsonLogger(minimum, (line) => lines.push(line) > 0);
  return { logger, lines, parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('jsonLogger', () => {
  it('writes one JSON line per entry: time, level, message, then the fields', () => {
    const { logger, lines, parsed } = captured('debug');
    logger.warn('registry slow', { host: 'registry-1.docker.io', attempt: 2 });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('}\n')).toBe(true);
    expect(lines[0]!.indexOf('\n')).toBe(lines[0]!.length - 1);
    const [entry] = parsed();
    expect(Object.keys(entry!)).toEqual(['time', 'level', 'message', 'host', 'attempt']);
    expect(entry).toMatchObject({
      level: 'warn',
      message: 'registry slow',
      host: 'registry-1.docker.io',
      attempt: 2,
    });
    expect(new Date(entry!.time as string).toISOString()).toBe(entry!.time);
  });

  it.each([
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
  ] as const)('at minimum %s writes %j', (minimum, written) => {
    const { logger, parsed } = captured(minimum);
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(parsed().map((entry) => entry.level)).toEqual(written);
    expect(parsed().map((entry) => entry.message)).toEqual(written.map((level) => level[0]));
  });

  it('writes info and above by default', () => {
    const { logger, parsed } = captured();
    logger.debug('hidden');
    logger.info('shown');
    expect(parsed().map((entry) => entry.message)).toEqual(['shown']);
  });

  it('writes to stderr unless told otherwise', () => {
    const written: string[] = [];
    const original = process.stderr.write;
    process.stderr.write = ((chunk: string) => {
      written.push(chunk);
      return true;
    }) as typeof process.stderr.write;
    try {
      jsonLogger('info').error('to stderr');
    } finally {
      process.stderr.write = original;
    }
    expect(written.map((line) => JSON.parse(line).message)).toEqual(['to stderr']);
  });

  it('the silent logger accepts every level and writes nothing', () => {
    const original = process.stderr.write;
    const written: unknown[] = [];
    process.stderr.write = ((chunk: unknown) => written.push(chunk) > 0) as typeof process.stderr.write;
    try {
      silentLogger.debug('x');
      silentLogger.info('x');
      silentLogger.warn('x');
      silentLogger.error('x', { a: 1 });
    } finally {
      process.stderr.write = original;
    }
    expect(written).toEqual([]);
  });
});
