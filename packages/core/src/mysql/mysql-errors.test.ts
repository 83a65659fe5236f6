import { describe, expect, it } from 'vitest';
import { CoreError } from '../errors/core-error.js';
import { classifyMysqlError, connectionIsBroken } from './mysql-errors.js';

const mysqlError = (fields: Record<string, unknown>) => Object.assign(new Error(String(fields.sqlMessage ?? fields.code)), fields);

describe('classifyMysqlError', () => {
  it.each([
    [{ code: 'PROTOCOL_CONNECTION_LOST', fatal: true }, true],
    [{ code: 'PROTOCOL_SEQUENCE_TIMEOUT' }, true],
    [{ code: 'ECONNREFUSED' }, true],
    [{ code: 'ER_LOCK_WAIT_TIMEOUT', errno: 1205, sqlState: 'HY000', sqlMessage: 'Lock wait timeout exceeded' }, true],
    [{ code: 'ER_LOCK_DEADLOCK', errno: 1213, sqlState: '40001', sqlMessage: 'Deadlock found' }, true],
    [{ code: 'ER_CON_COUNT_ERROR', errno: 1040 }, true],
    [{ code: 'ER_ACCESS_DENIED_ERROR', errno: 1045, sqlState: '28000', sqlMessage: "Access denied for user 'u'@'h' (using password: YES)" }, false],
    [{ code: 'ER_BAD_DB_ERROR', errno: 1049, sqlState: '42000' }, false],
    [{ code: 'ER_PARSE_ERROR', errno: 1064, sqlState: '42000' }, false],
  ])('%o → retryable %s', (fields, retryable) => {
    const e = classifyMysqlError(mysqlError(fields), 'read bookmark', { job: 'j' });
    expect(e).toBeInstanceOf(CoreError);
    expect(e._tag).toBe('DatabaseFailure');
    expect(e.isRetryable).toBe(retryable);
    expect(e.message).toContain('read bookmark failed');
    expect(e.message).toContain(String(fields.code));
    expect(e.context.job).toBe('j');
  });

  it('never copies the SQL text (with its values) into the message or cause', () => {
    const raw = mysqlError({ code: 'ER_PARSE_ERROR', errno: 1064, sqlMessage: 'syntax', sql: "INSERT … 'secret body'" });
    const e = classifyMysqlError(raw, 'write');
    expect(e.message).not.toContain('secret body');
    expect(JSON.stringify(Object.entries(e.cause as object))).not.toContain('secret body');
    expect((e.cause as { code?: string }).code).toBe('ER_PARSE_ERROR');
  });

  it('turns a Timeout into a retryable DatabaseFailure and passes other CoreErrors through', () => {
    const timeout = new CoreError('Timeout', 'MySQL getConnection did not finish within 10 ms', { isRetryable: true });
    const mapped = classifyMysqlError(timeout, 'get connection');
    expect(mapped._tag).toBe('DatabaseFailure');
    expect(mapped.isRetryable).toBe(true);
    const lost = new CoreError('LeaseLost', 'gone');
    expect(classifyMysqlError(lost, 'x')).toBe(lost);
  });

  it('says when a connection must be destroyed', () => {
    expect(connectionIsBroken(mysqlError({ code: 'PROTOCOL_SEQUENCE_TIMEOUT' }))).toBe(true);
    expect(connectionIsBroken(classifyMysqlError(mysqlError({ code: 'PROTOCOL_SEQUENCE_TIMEOUT' }), 'q'))).toBe(true);
    expect(connectionIsBroken(mysqlError({ code: 'ER_DUP_ENTRY', errno: 1062 }))).toBe(false);
  });
});
