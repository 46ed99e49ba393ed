// oned's error texts (Request::failure_message), which the CLI prints on stderr before exiting 255.

export class OneError extends Error {
  constructor(
    message: string,
    readonly toStdout = false,
    /** Ruby's exit(-1) by default; the CLI's own checks use exit_with_code 1. */
    readonly exitCode = 255,
  ) {
    super(message);
  }
}

export type Operation = 'USE' | 'MANAGE' | 'ADMIN' | 'CREATE';

export const OBJECT_NAMES = {
  VM: 'virtual machine',
  IMAGE: 'image',
  DATASTORE: 'datastore',
  BACKUPJOB: 'backup job',
  USER: 'user',
  TEMPLATE: 'virtual machine template',
  HOST: 'host',
  CLUSTER: 'cluster',
  ZONE: 'zone',
} as const;

export type ObjectType = keyof typeof OBJECT_NAMES;

export const authenticationError = (method: string) =>
  new OneError(`[${method}] User couldn't be authenticated, aborting call.`);

export const authorizationError = (method: string, uid: number, op: Operation, type: ObjectType, id?: number) =>
  new OneError(
    `[${method}] User [${uid}] : Not authorized to perform ${op} ${type}${id === undefined ? '' : ` [${id}]`}.`,
  );

export const notFound = (method: string, type: ObjectType, id: number) =>
  new OneError(`[${method}] Error getting ${OBJECT_NAMES[type]} [${id}].`);

export const actionError = (method: string, message: string) => new OneError(`[${method}] ${message}`);

export const allocateError = (method: string, type: ObjectType, message: string) =>
  new OneError(`[${method}] Error allocating a new ${OBJECT_NAMES[type]}. ${message}`);
