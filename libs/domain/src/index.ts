export * from './domain-error';
export * from './state-machine';
export * from './organisation-type';
export * from './roles';
export * from './membership';
export * from './catalogue';
