export * from './types.js';
export * from './sorted.js';
export * from './chats.js';
export * from './linking.js';
export * from './diff.js';
export * from './guard.js';
export * from './plan.js';
