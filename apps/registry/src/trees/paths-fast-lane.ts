import { BadRequestException, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'http';
import { PinoLogger } from 'nestjs-pino';
import { parse as secureJsonParse } from 'secure-json-parse';
import { BODY_LIMIT, MetricsService, requestIdOf } from '@rv/observability';
import { AnswerBuffers } from './answer-buffers';
import { batchPathsAnswer, pathAnswer, type PathQuery } from './path-routes';
import { ReadTree } from './read-tree';
import { RegistryErrorsFilter } from './registry-errors.filter';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** Route patterns as the framework names them (the http_request_duration_seconds route label). */
const GET_ROUTE = '/v1/trees/:trackId/paths/:leafIndex';
const POST_ROUTE = '/v1/trees/:trackId/paths';
const GET_PATH = /^\/v1\/trees\/(\d{1,20})\/paths\/(\d{1,10})\/?$/;
const POST_PATH = /^\/v1\/trees\/(\d{1,20})\/paths\/?$/;
const JSON_TYPE = /^application\/json\s*(;|$)/i;
const JSON_HEADER = 'application/json; charset=utf-8';

/**
 * The two hot routes (GET /v1/trees/:trackId/paths/:leafIndex, POST /v1/trees/:trackId/paths)
 * served straight off node:http, in front of the framework: on this 2-core machine the
 * fastify + Nest pipeline (middleware, pino-http, hooks, async resources) cost ~0.14 ms of the
 * ~0.35 ms CPU of a 100-path batch answer (measured: bench merkle, `*_cpu_ms_per_req`).
 *
 * Only plain requests are taken: decimal ids without percent-encoding, queries naming only the
 * route's own parameters once each (minSlot, root, seq; POST: minSlot), and POST bodies that are
 * application/json with a Content-Length within the body limit. Everything else (HEAD, chunked
 * bodies, encoded or repeated parameters, other routes) goes to the framework unchanged. The
 * answers are the controller's own (path-routes.ts), errors are mapped by the same filter, each
 * request is recorded in http_request_duration_seconds under the framework's route pattern and
 * logged as pino-http would ("request completed", info).
 */
@Injectable()
export class PathsFastLane implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly errors: RegistryErrorsFilter;
  /** Batch answers are written into reused buffers, given back when their response finished. */
  private readonly buffers = new AnswerBuffers();
  private readonly alloc = (size: number): Buffer => this.buffers.take(size);
  /** Requests served by the fast lane (for tests; the route metrics count them too). */
  served = 0;
  /** Set when the app starts closing: from then on the framework answers (503 while it closes). */
  private closing = false;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly read: ReadTree,
    private readonly metrics: MetricsService,
  ) {
    this.errors = new RegistryErrorsFilter(metrics, adapterHost);
  }

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    const framework = server?.listeners('request') as RequestListener[] | undefined;
    // An unknown set-up (no server yet, several listeners): leave every request to the framework.
    if (!server || framework?.length !== 1) return;
    const next = framework[0] as RequestListener;
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (this.closing || !this.take(req, res)) next.call(server, req, res);
    });
  }

  onModuleDestroy(): void {
    this.closing = true;
  }

  /** Serves the request if it is one of the plain shapes above; false: the framework's. */
  private take(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url ?? '';
    if (url.includes('%')) return false;
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q + 1);
    if (req.method === 'GET') {
      const m = GET_PATH.exec(path);
      const params = m && plainQuery(query, GET_PARAMS);
      if (!m || !params) return false;
      this.serve(req, res, GET_ROUTE, () =>
        pathAnswer(this.read, m[1] as string, m[2] as string, params, this.alloc),
      );
      return true;
    }
    if (req.method === 'POST') {
      const m = POST_PATH.exec(path);
      const params = m && plainQuery(query, POST_PARAMS);
      const length = Number(req.headers['content-length']);
      if (
        !m ||
        !params ||
        !JSON_TYPE.test(req.headers['content-type'] ?? '') ||
        req.headers['transfer-encoding'] !== undefined ||
        !(length > 0 && length <= BODY_LIMIT)
      ) {
        return false;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('error', () => undefined); // the client went away: nothing to answer
      req.on('end', () =>
        this.serve(req, res, POST_ROUTE, () =>
          batchPathsAnswer(this.read, m[1] as string, parseJson(chunks), params.minSlot, this.alloc),
        ),
      );
      return true;
    }
    return false;
  }

  private serve(
    req: IncomingMessage,
    res: ServerResponse,
    route: string,
    answer: () => Promise<Buffer>,
  ): void {
    const started = performance.now();
    this.served++;
    const send = (status: number, body: Buffer): void => {
      res.writeHead(status, { 'content-type': JSON_HEADER, 'content-length': body.length });
      res.end(body);
      const ms = performance.now() - started;
      this.metrics.httpDuration.observe({ method: req.method, route, status: String(status) }, ms / 1000);
      const log = PinoLogger.root;
      if (log?.isLevelEnabled('info')) {
        log.info(
          {
            req: { id: requestIdOf(req), method: req.method, url: req.url },
            res, // pino-http's serializer: { statusCode, headers }
            responseTime: Math.round(ms),
          },
          'request completed',
        );
      }
    };
    // answer() throws synchronously for a body that is not JSON; either way the filter maps it.
    new Promise<Buffer>((resolve) => resolve(answer())).then(
      (body) => {
        res.once('finish', () => this.buffers.give(body));
        send(200, body);
      },
      (e: unknown) => {
        const a = this.errors.answer(e);
        send(a.status, Buffer.from(JSON.stringify(a.body)));
      },
    );
  }
}

const GET_PARAMS: ReadonlySet<string> = new Set(['minSlot', 'root', 'seq']);
const POST_PARAMS: ReadonlySet<string> = new Set(['minSlot']);

/**
 * `a=1&b=2` with only allowed names, each once, values without `+` (which a query parser decodes
 * as a space; `%` is excluded before): their values; undefined for anything else.
 */
function plainQuery(query: string, allowed: ReadonlySet<string>): PathQuery | undefined {
  const out: Record<string, string> = {};
  if (query === '') return out;
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    if (eq < 0 || !allowed.has(name) || name in out || part.includes('+')) return undefined;
    out[name] = part.slice(eq + 1);
  }
  return out;
}

/** The body as fastify's JSON parser reads it (secure-json-parse: 400 for `__proto__` / constructor poisoning too). */
function parseJson(chunks: Buffer[]): unknown {
  const text = (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString('utf8');
  try {
    return secureJsonParse(text, undefined, { protoAction: 'error', constructorAction: 'error' }) as unknown;
  } catch (e) {
    throw new BadRequestException(
      e instanceof SyntaxError
        ? "Body is not valid JSON but content-type is set to 'application/json'"
        : (e as Error).message,
    );
  }
}
