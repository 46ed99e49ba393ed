'use client';

import {
  startTransition,
  useActionState,
  useEffect,
  useMemo,
  useReducer,
  useRef,
  useState,
  useTransition,
} from 'react';
import { IDLE, type ActionState, type FieldErrors } from '@/lib/schemas/action-state';
import {
  backendOf,
  fieldsForBackend,
  stepTitle,
  WIZARD_STEPS,
  type Backend,
  type WizardStep,
} from '@/lib/schemas/datastore-fields';
import { S3_PREFLIGHT_FIELDS } from '@/lib/schemas/datastore-preflight';
import { templateText, type Prefill } from '@/lib/schemas/datastore-template';
import type * as WizardSchemaModule from '@/lib/schemas/datastore-wizard';
import { createDatastoreAction, preflightAction, s3PreflightAction } from '../actions';
import { CustomAttributes } from './custom-attributes';
import { FieldInput } from './field-input';
import { PasswordFields } from './password-fields';
import { PasteTemplate } from './paste-template';
import { PreflightStep } from './preflight-step';
import { ReviewStep } from './review-step';
import { StepList } from './step-list';
import {
  errorsOfStep,
  initialState,
  labelOf,
  nameTakenError,
  stepIndex,
  stepOf,
  valuesOfBackend,
  wizardReducer,
} from './wizard-state';
import { INPUT, PRIMARY, BUTTON } from './styles';

// The shared schema brings zod (~30 kB gzip): it loads right after the page instead of before its
// first paint. Until it is there, Next and Create wait (disabled); the server checks again anyway.
type WizardSchema = typeof WizardSchemaModule;
let schemaLoad: Promise<WizardSchema> | undefined;

function useWizardSchema(): WizardSchema | undefined {
  const [schema, setSchema] = useState<WizardSchema>();
  useEffect(() => {
    let live = true;
    schemaLoad ??= import('@/lib/schemas/datastore-wizard');
    schemaLoad.then(
      (m) => live && setSchema(m),
      () => {
        schemaLoad = undefined; // a failed chunk load is tried again on the next mount
      },
    );
    return () => {
      live = false;
    };
  }, []);
  return schema;
}

type Props = {
  requestId: string;
  clusters: { id: number; name: string }[];
  clusterError?: string;
  /** Datastores that exist when the wizard opened: their names are taken. */
  taken?: { id: number; name: string }[];
  /** Whether the front-end may have S3 datastores (OpenNebula 7.4 or later), and why not. */
  s3?: { available: boolean; reason?: string };
};

// One form holds every step (the hidden ones too), so the create action receives all the fields
// at once; each step is checked with the shared schema before the next one opens. The review is
// built here from the form's state: the server never sends the password back.
export function DatastoreWizard({ requestId, clusters, clusterError, taken = [], s3 = { available: false } }: Props) {
  const [wizard, dispatch] = useReducer(wizardReducer, clusters[0] ? String(clusters[0].id) : '', initialState);
  const { step, visited, values, custom, errors, preflight } = wizard;
  const [checking, startCheck] = useTransition();
  const [state, formAction, creating] = useActionState<ActionState, FormData>(createDatastoreAction, IDLE);
  const formRef = useRef<HTMLFormElement>(null);

  // A new step's heading takes the focus (not <body>), so keyboard and screen-reader users land
  // on the step they just opened; the first render leaves the focus where the page put it.
  const shownStep = useRef(step);
  useEffect(() => {
    if (shownStep.current === step) return;
    shownStep.current = step;
    document.getElementById(`step-title-${step}`)?.focus();
  }, [step]);

  const schema = useWizardSchema();
  // Only the chosen backend's fields are checked and sent (the other's stay typed for a switch back).
  const backend: Backend = backendOf(values.RESTIC_BACKEND);
  const chosen = useMemo(() => valuesOfBackend(values), [values]);
  const parsed = useMemo(
    () => schema?.DatastoreWizardSchema.safeParse({ ...chosen, requestId, custom }),
    [schema, chosen, requestId, custom],
  );
  const set = (name: string, value: string) => dispatch({ type: 'set', values: { [name]: value } });
  const preflightInput: Record<string, string | undefined> =
    backend === 'S3'
      ? Object.fromEntries(S3_PREFLIGHT_FIELDS.map((n) => [n, values[n]]))
      : {
          RESTIC_SFTP_SERVER: values.RESTIC_SFTP_SERVER,
          RESTIC_SFTP_USER: values.RESTIC_SFTP_USER,
          cluster: values.cluster,
          RESTIC_MAX_RIOPS: values.RESTIC_MAX_RIOPS,
          RESTIC_MAX_WIOPS: values.RESTIC_MAX_WIOPS,
          RESTIC_CPU_QUOTA: values.RESTIC_CPU_QUOTA,
          RESTIC_MEMORY_MAX_MB: values.RESTIC_MEMORY_MAX_MB,
        };
  const preflightKey = JSON.stringify([backend, preflightInput]);
  const runPreflight = () =>
    startCheck(async () => {
      const s = backend === 'S3' ? await s3PreflightAction(preflightInput) : await preflightAction(preflightInput);
      dispatch({ type: 'preflight', key: preflightKey, state: s });
    });

  const goTo = (target: WizardStep) => {
    dispatch({ type: 'go', step: target });
    if (target === 'preflight' && preflight?.key !== preflightKey && !checking) runPreflight();
  };
  const next = () => {
    if (!schema || !parsed) return;
    const current = parsed.success ? {} : errorsOfStep(schema.wizardFieldErrors(parsed.error), step);
    const clash = step === 'general' ? nameTakenError(values.NAME ?? '', taken) : undefined;
    if (clash && !current.NAME) current.NAME = [clash];
    dispatch({ type: 'errors', errors: current });
    if (Object.keys(current).length > 0) {
      formRef.current?.querySelector<HTMLElement>(`section[data-step="${step}"] [aria-invalid="true"]`)?.focus();
      return;
    }
    const following = WIZARD_STEPS[stepIndex(step) + 1];
    if (following) goTo(following.id);
  };
  const submit = (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (step !== 'review') return next();
    if (!schema || !parsed) return;
    if (!parsed.success) {
      const all = schema.wizardFieldErrors(parsed.error);
      const first = Object.keys(all)[0];
      dispatch({ type: 'errors', errors: all, step: first ? stepOf(first) : undefined });
      return;
    }
    const fd = new FormData(e.currentTarget);
    startTransition(() => formAction(fd));
  };
  const prefill = (p: Prefill) => dispatch({ type: 'prefill', prefill: p });

  const shownErrors: FieldErrors = state.status === 'invalid' ? { ...state.fieldErrors, ...errors } : errors;
  const serverErrorKeys = state.status === 'invalid' ? Object.keys(state.fieldErrors) : [];
  // A report of the other backend's check (the choice changed since) is not this one's.
  const reportBackend = preflight ? (JSON.parse(preflight.key) as [Backend, unknown])[0] : undefined;
  const report = preflight?.state.status === 'ok' && reportBackend === backend ? preflight.state.data : undefined;
  const preflightFailed =
    report && [...report.checks, ...report.hosts.flatMap((h) => h.checks)].some((c) => c.status === 'fail');
  const fieldsOf = (s: WizardStep) =>
    fieldsForBackend(backend).filter(
      (f) => f.step === s && f.name !== 'RESTIC_PASSWORD' && f.name !== 'RESTIC_BACKEND',
    );
  const renderFields = (s: WizardStep) =>
    fieldsOf(s).map((f) => (
      <FieldInput
        key={f.name}
        field={f}
        value={values[f.name] ?? ''}
        errors={shownErrors[f.name]}
        onChange={(v) => set(f.name, v)}
      />
    ));

  return (
    <div className="flex flex-col gap-4 md:flex-row">
      <StepList current={step} visited={visited} backend={backend} onSelect={goTo} />
      <form
        ref={formRef}
        onSubmit={submit}
        noValidate
        aria-label="Create a backup datastore"
        className="min-w-0 flex-1 space-y-4 rounded-lg border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900"
      >
        <input type="hidden" name="requestId" value={requestId} />
        <Section id="general" current={step} title="General">
          <PasteTemplate onPrefill={prefill} />
          {renderFields('general')}
          <BackendChoice
            value={backend}
            s3={s3}
            errors={shownErrors.RESTIC_BACKEND}
            onChange={(b) => set('RESTIC_BACKEND', b)}
          />
          <div>
            <label htmlFor="field-cluster" className="block text-sm font-medium">
              Cluster
            </label>
            <select
              id="field-cluster"
              name="cluster"
              value={values.cluster}
              onChange={(e) => set('cluster', e.target.value)}
              className={INPUT}
              aria-describedby="field-cluster-help"
            >
              {clusters.length === 0 && <option value="">default</option>}
              {clusters.map((c) => (
                <option key={c.id} value={String(c.id)}>
                  {c.id}: {c.name}
                </option>
              ))}
            </select>
            <p id="field-cluster-help" className="mt-1 text-xs text-slate-600 dark:text-slate-400">
              The cluster whose hosts back up into this datastore (onedatastore create -c). Default: cluster 0.
              {clusterError && ` The clusters could not be listed: ${clusterError}`}
            </p>
          </div>
        </Section>
        <Section id="server" current={step} title={stepTitle('server', backend)}>
          {renderFields('server')}
        </Section>
        <Section id="repository" current={step} title="Repository">
          <PasswordFields
            password={values.RESTIC_PASSWORD ?? ''}
            confirm={values.password_confirm ?? ''}
            errors={{ password: shownErrors.RESTIC_PASSWORD, confirm: shownErrors.password_confirm }}
            onChange={(p, c) => dispatch({ type: 'set', values: { RESTIC_PASSWORD: p, password_confirm: c } })}
          />
          {renderFields('repository')}
        </Section>
        <Section id="limits" current={step} title="Performance and limits">
          <div className="grid gap-4 sm:grid-cols-2">{renderFields('limits')}</div>
          <CustomAttributes
            rows={custom}
            errors={shownErrors}
            onChange={(rows) => dispatch({ type: 'custom', custom: rows })}
          />
        </Section>
        <Section id="preflight" current={step} title={stepTitle('preflight', backend)}>
          <PreflightStep
            state={reportBackend === backend ? preflight?.state : undefined}
            running={checking}
            onRun={runPreflight}
          />
        </Section>
        <Section id="review" current={step} title="Review">
          {preflightFailed && (
            <p className="rounded-md bg-amber-50 p-2 text-sm text-amber-900 dark:bg-amber-950/40 dark:text-amber-200">
              The {backend === 'S3' ? 'bucket' : 'backup server'} check found problems. The datastore can be created,
              but backups will fail until they are fixed.
            </p>
          )}
          {parsed?.success ? (
            <ReviewStep
              name={parsed.data.NAME}
              text={templateText(parsed.data)}
              password={parsed.data.RESTIC_PASSWORD}
              hidden={parsed.data.RESTIC_S3_SECRET_ACCESS_KEY ? [parsed.data.RESTIC_S3_SECRET_ACCESS_KEY] : []}
            />
          ) : (
            <p className="text-sm text-red-600">Some fields need attention before the template can be shown.</p>
          )}
          {serverErrorKeys.length > 0 && (
            <ul className="list-inside list-disc text-sm text-red-600 dark:text-red-400" data-testid="server-errors">
              {serverErrorKeys.map((k) => (
                <li key={k}>
                  <button type="button" className="underline" onClick={() => dispatch({ type: 'go', step: stepOf(k) })}>
                    {labelOf(k)}
                  </button>
                  : {state.status === 'invalid' ? state.fieldErrors[k]?.[0] : ''}
                </li>
              ))}
            </ul>
          )}
        </Section>
        <p
          role="alert"
          aria-live="polite"
          className="min-h-5 text-sm text-red-600 dark:text-red-400"
          data-testid="wizard-message"
        >
          {state.status !== 'idle' && state.status !== 'ok' ? state.message : ''}
        </p>
        <div className="flex justify-between border-t border-slate-200 pt-4 dark:border-slate-800">
          <button
            type="button"
            className={BUTTON}
            disabled={step === 'general'}
            onClick={() => dispatch({ type: 'go', step: WIZARD_STEPS[Math.max(0, stepIndex(step) - 1)]!.id })}
          >
            Back
          </button>
          {step === 'review' ? (
            <button type="submit" className={PRIMARY} disabled={creating || !schema}>
              {creating ? 'Creating…' : 'Create datastore'}
            </button>
          ) : (
            <button type="submit" className={PRIMARY} disabled={!schema || (step === 'preflight' && checking)}>
              Next
            </button>
          )}
        </div>
      </form>
    </div>
  );
}

/** SFTP or S3; S3 only when the front-end runs OpenNebula 7.4 or later, and why not otherwise. */
function BackendChoice({
  value,
  s3,
  errors,
  onChange,
}: {
  value: Backend;
  s3: { available: boolean; reason?: string };
  errors?: string[];
  onChange: (b: Backend) => void;
}) {
  const options: { id: Backend; label: string; help: string }[] = [
    { id: 'SFTP', label: 'SFTP backup server', help: 'A server reached over SSH holds the repositories.' },
    {
      id: 'S3',
      label: 'S3 bucket',
      help: 'An S3-compatible object store (AWS, MinIO, Ceph RGW) holds them; one bucket per datastore.',
    },
  ];
  return (
    <fieldset aria-describedby="backend-help" aria-invalid={errors?.length ? true : undefined}>
      <legend className="text-sm font-medium">
        Where the repositories live <span className="font-mono text-xs text-slate-500">RESTIC_BACKEND</span>
      </legend>
      <div className="mt-1 flex flex-col gap-1 sm:flex-row sm:gap-6">
        {options.map((o) => {
          const disabled = o.id === 'S3' && !s3.available && value !== 'S3';
          return (
            <label key={o.id} className={`flex items-start gap-2 text-sm ${disabled ? 'opacity-60' : ''}`}>
              <input
                type="radio"
                name="RESTIC_BACKEND"
                value={o.id}
                checked={value === o.id}
                disabled={disabled}
                onChange={() => onChange(o.id)}
                className="mt-0.5 size-4"
                data-testid={`backend-${o.id}`}
              />
              <span>
                {o.label}
                <span className="block text-xs text-slate-600 dark:text-slate-400">{o.help}</span>
              </span>
            </label>
          );
        })}
      </div>
      <p id="backend-help" className="mt-1 text-xs text-slate-600 dark:text-slate-400" data-testid="backend-help">
        {s3.available
          ? 'S3 needs OpenNebula 7.4 or later, which this front-end runs. Default: SFTP.'
          : `${s3.reason ?? 'S3 datastores need OpenNebula 7.4 or later.'} Default: SFTP.`}
      </p>
      {errors?.length ? (
        <p className="mt-1 text-xs text-red-600 dark:text-red-400" data-testid="error-RESTIC_BACKEND">
          {errors[0]}
        </p>
      ) : null}
    </fieldset>
  );
}

function Section({
  id,
  current,
  title,
  children,
}: {
  id: WizardStep;
  current: WizardStep;
  title: string;
  children: React.ReactNode;
}) {
  return (
    <section data-step={id} hidden={id !== current} aria-labelledby={`step-title-${id}`} className="space-y-4">
      <h2 id={`step-title-${id}`} tabIndex={-1} className="text-lg font-semibold outline-none">
        {title}
      </h2>
      {children}
    </section>
  );
}
