import { zodResolver } from '@hookform/resolvers/zod';
import { Link, getRouteApi, useNavigate } from '@tanstack/react-router';
import { useForm } from 'react-hook-form';
import { useLogIn, useRegister } from '../../api/hooks/auth';
import { loginSchema, registerSchema } from './account-forms';
import { landingAfterLogin, safeRedirect } from './redirect';
import { Alert, Button, Card, Field, Input, Page, ProblemAlert } from '../../ui';

/**
 * After login: the back office opens with a full page load, so it runs under its own
 * Content-Security-Policy (src/web/security-headers.ts); storefront pages navigate in place.
 */
async function goTo(navigate: ReturnType<typeof useNavigate>, target: string): Promise<void> {
  if (/^\/admin([/?#]|$)/.test(target)) {
    window.location.assign(target);
    return;
  }
  await navigate({ to: target });
}

const loginRoute = getRouteApi('/shop/login');

export function LoginPage() {
  const { redirect } = loginRoute.useSearch();
  const navigate = useNavigate();
  const login = useLogIn();
  const form = useForm({
    resolver: zodResolver(loginSchema),
    defaultValues: { email: '', password: '' },
  });
  const errors = form.formState.errors;

  const submit = form.handleSubmit(async (values) => {
    const user = await login.mutateAsync(values).catch(() => undefined);
    if (user) await goTo(navigate, landingAfterLogin(redirect, user.role));
  });

  return (
    <Page title="Log in">
      <Card className="max-w-md">
        <form onSubmit={(e) => void submit(e)} className="space-y-4" noValidate>
          {login.isError && <ProblemAlert error={login.error} title="Could not log in" />}
          <Field label="Email" error={errors.email?.message}>
            {(props) => (
              <Input {...props} type="email" autoComplete="email" {...form.register('email')} />
            )}
          </Field>
          <Field label="Password" error={errors.password?.message}>
            {(props) => (
              <Input
                {...props}
                type="password"
                autoComplete="current-password"
                {...form.register('password')}
              />
            )}
          </Field>
          <Button type="submit" busy={form.formState.isSubmitting} className="w-full">
            Log in
          </Button>
          <div className="flex flex-wrap justify-between gap-2 text-sm">
            <Link to="/forgot-password" className="text-indigo-700 hover:underline">
              Forgot your password?
            </Link>
            <Link to="/register" search={{ redirect }} className="text-indigo-700 hover:underline">
              Create an account
            </Link>
          </div>
        </form>
      </Card>
    </Page>
  );
}

const registerRoute = getRouteApi('/shop/register');

export function RegisterPage() {
  const { redirect } = registerRoute.useSearch();
  const navigate = useNavigate();
  const registration = useRegister();
  const form = useForm({
    resolver: zodResolver(registerSchema),
    defaultValues: { name: '', email: '', password: '' },
  });
  const errors = form.formState.errors;

  const submit = form.handleSubmit(async (values) => {
    const user = await registration.mutateAsync(values).catch(() => undefined);
    if (user) await goTo(navigate, safeRedirect(redirect));
  });

  return (
    <Page title="Create an account">
      <Card className="max-w-md">
        <form onSubmit={(e) => void submit(e)} className="space-y-4" noValidate>
          {registration.isError && (
            <ProblemAlert error={registration.error} title="Could not register" />
          )}
          <Field label="Name" error={errors.name?.message}>
            {(props) => <Input {...props} autoComplete="name" {...form.register('name')} />}
          </Field>
          <Field label="Email" error={errors.email?.message}>
            {(props) => (
              <Input {...props} type="email" autoComplete="email" {...form.register('email')} />
            )}
          </Field>
          <Field label="Password" hint="At least 8 characters" error={errors.password?.message}>
            {(props) => (
              <Input
                {...props}
                type="password"
                autoComplete="new-password"
                {...form.register('password')}
              />
            )}
          </Field>
          <Button type="submit" busy={form.formState.isSubmitting} className="w-full">
            Register
          </Button>
          <Alert tone="info">We will email you a link to verify your address.</Alert>
          <p className="text-sm">
            Already have an account?{' '}
            <Link to="/login" search={{ redirect }} className="text-indigo-700 hover:underline">
              Log in
            </Link>
          </p>
        </form>
      </Card>
    </Page>
  );
}
