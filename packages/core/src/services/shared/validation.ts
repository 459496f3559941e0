import { invalid, type FieldError } from '../../domain/errors.js';
import { passwordProblem } from '../../domain/identity.js';

/** Collects field problems and throws one 'invalid' error naming all of them. */
export const assertValid = (problems: (FieldError | null)[]): void => {
  const errors = problems.filter((p): p is FieldError => p !== null);
  if (errors.length > 0) throw invalid(errors);
};

export const checkPassword = (password: string | undefined, path = 'password'): FieldError | null => {
  if (password === undefined) return null;
  const problem = passwordProblem(password);
  return problem ? { path, message: `Password ${problem}` } : null;
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const checkEmail = (email: string | undefined, path = 'email'): FieldError | null =>
  email === undefined || EMAIL.test(email.trim()) ? null : { path, message: 'Must be a valid email address' };

export const checkName = (name: string | undefined, path = 'name', max = 200): FieldError | null => {
  if (name === undefined) return null;
  const trimmed = name.trim();
  if (trimmed.length === 0) return { path, message: 'Must not be empty' };
  if (trimmed.length > max) return { path, message: `Must be at most ${max} characters` };
  return null;
};
