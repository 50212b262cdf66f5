// Types of each operation's params, query, body and success answer, taken from
// src/generated/api.d.ts (generated from openapi/openapi.json, itself generated
// from schemas/ and the route table). A schema change that the handlers or the
// service do not follow fails the typecheck.
import type { operations } from '../generated/api.js';
import type { OperationId as TableOperationId, RouteOf } from './route-table.js';

export type OperationId = keyof operations;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** The generated document and the route table name the same operations (stale openapi.json fails here). */
export const ROUTE_TABLE_MATCHES_DOCUMENT: Same<OperationId, TableOperationId> = true;

type Or<T, Default> = [T] extends [never] ? Default : T;
type NoParams = Record<string, never>;

export type ParamsOf<Op extends OperationId> = Or<NonNullable<operations[Op]['parameters']['path']>, NoParams>;
export type QueryOf<Op extends OperationId> = Or<NonNullable<operations[Op]['parameters']['query']>, NoParams>;
export type BodyOf<Op extends OperationId> = operations[Op] extends { requestBody: { content: { 'application/json': infer Body } } }
  ? Body
  : undefined;

type SuccessStatus<Op extends OperationId> = Op extends TableOperationId ? RouteOf<Op>['success']['status'] : never;
type SuccessResponse<Op extends OperationId> = operations[Op]['responses'][SuccessStatus<Op> & keyof operations[Op]['responses']];
type XlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** A file: text for CSV, bytes for a workbook (either, where the caller chooses the format). */
type FileReply<R> = R extends { content: infer C }
  ? ('text/csv' extends keyof C ? string : never) | (XlsxType extends keyof C ? Buffer : never)
  : never;
export type ReplyOf<Op extends OperationId> = SuccessResponse<Op> extends { content: { 'application/json': infer Body } }
  ? Body
  : SuccessResponse<Op> extends { content: { 'text/html': infer Html } }
    ? Html
    : FileReply<SuccessResponse<Op>>;
