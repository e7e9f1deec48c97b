import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

/** The OpenAPI 3.1 document of the partner API, generated from the controllers' decorators. */
export function gatewayOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Rainbow Veil partner API')
    .setDescription(
      'Token-gated access proofs for partners. Authenticate with `Authorization: Bearer <key>` or `x-api-key: <key>`. ' +
        'Errors are `{"error": {"code", "message"}}`. Rate limits: `RateLimit-*` headers; 429 carries `Retry-After`.',
    )
    .setVersion('1.0.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key' }, 'x-api-key')
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Swagger UI at /docs and the JSON document at /openapi.json. */
export function setupGatewayOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => gatewayOpenApiDocument(app), { jsonDocumentUrl: 'openapi.json' });
}
