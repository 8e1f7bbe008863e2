import { useMutation } from '@tanstack/react-query';
import { api } from '../client';
import { logIn } from '../session';
import { invalidatePaths, type RequestBody } from './cache';

type RegisterBody = RequestBody<'/api/v1/auth/register', 'post'>;

export function useLogIn() {
  return useMutation({
    mutationFn: ({ email, password }: { email: string; password: string }) =>
      logIn(email, password),
  });
}

/** Creates the account and logs in with it. */
export function useRegister() {
  return useMutation({
    mutationFn: async (body: RegisterBody) => {
      await api.POST('/api/v1/auth/register', { body });
      return logIn(body.email, body.password);
    },
  });
}

/** The answer is the same whether or not an account uses the address. */
export function useRequestPasswordReset() {
  return useMutation({
    mutationFn: async (email: string) => {
      await api.POST('/api/v1/auth/password-reset/request', { body: { email } });
    },
  });
}

export function useConfirmPasswordReset() {
  return useMutation({
    mutationFn: async ({ token, password }: { token: string; password: string }) => {
      await api.POST('/api/v1/auth/password-reset/confirm', { body: { token, password } });
    },
  });
}

export function useVerifyEmail() {
  return useMutation({
    mutationFn: async (token: string) => {
      await api.POST('/api/v1/auth/verify-email', { body: { token } });
    },
    onSuccess: () => invalidatePaths('/api/v1/me'),
  });
}

export function useResendVerification() {
  return useMutation({
    mutationFn: async () => {
      await api.POST('/api/v1/me/verify-email');
    },
  });
}

export function useChangePassword() {
  return useMutation({
    mutationFn: async (body: { currentPassword: string; newPassword: string }) => {
      await api.POST('/api/v1/me/password', { body });
    },
  });
}
