import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs/light.js';
import type { ProtoGrpcType as AdminProto } from './gen/admin.js';
import type { ProtoGrpcType as AgentProto } from './gen/agent.js';
import { descriptor } from './gen/descriptor.js';
import type { ProtoGrpcType as DnsProto } from './gen/dns.js';
import type { ProtoGrpcType as IpamProto } from './gen/ipam.js';
import type { ProtoGrpcType as NetworkProto } from './gen/network.js';

type AllV1 = NetworkProto['netspan']['v1'] &
  IpamProto['netspan']['v1'] &
  DnsProto['netspan']['v1'] &
  AgentProto['netspan']['v1'] &
  AdminProto['netspan']['v1'];

/** Every netspan.v1 service: a client constructor whose `service` is the server's definition. */
export type NetspanV1 = Pick<
  AllV1,
  'NetworkService' | 'IpamService' | 'DnsService' | 'AgentService' | 'AdminService'
>;

/** How messages look in JavaScript: as @grpc/proto-loader's options in reflection.ts make them. */
const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true, oneofs: true };

function serializer(type: protobuf.Type): (value: object) => Buffer {
  return (value) => {
    if (Array.isArray(value)) throw new Error(`${type.name}: cannot serialize an array`);
    const bytes = type.encode(type.fromObject(value)).finish();
    return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes); // a Buffer already, under Node
  };
}

function deserializer(type: protobuf.Type): (bytes: Buffer) => object {
  return (bytes) => type.toObject(type.decode(bytes), TO_OBJECT);
}

let cached: NetspanV1 | undefined;

/**
 * Every netspan.v1 service, built once per process from the descriptor that `npm run gen` writes
 * from proto/ (src/gen/descriptor.ts), with the same (de)serializers @grpc/proto-loader makes.
 * Why not proto-loader: parsing the .proto files and building the file descriptors it keeps for
 * reflection cost the agent about a tenth of a second of start-up, which a host's join waits for.
 */
export function loadNetspan(): NetspanV1 {
  if (cached) return cached;
  const root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace);
  const v1 = root.lookup('netspan.v1') as protobuf.Namespace;
  const services: Record<string, grpc.ServiceClientConstructor> = {};
  for (const service of v1.nestedArray) {
    if (!(service instanceof protobuf.Service)) continue;
    const fullName = `netspan.v1.${service.name}`;
    const definition: Record<string, grpc.MethodDefinition<object, object>> = {};
    for (const method of service.methodsArray) {
      method.resolve();
      const req = method.resolvedRequestType as protobuf.Type;
      const res = method.resolvedResponseType as protobuf.Type;
      definition[method.name] = {
        path: `/${fullName}/${method.name}`,
        requestStream: Boolean(method.requestStream),
        responseStream: Boolean(method.responseStream),
        requestSerialize: serializer(req),
        requestDeserialize: deserializer(req),
        responseSerialize: serializer(res),
        responseDeserialize: deserializer(res),
        // The lowerCamelCase alias grpc-js adds to clients, as proto-loader names it.
        originalName: method.name.charAt(0).toLowerCase() + method.name.slice(1),
      };
    }
    services[service.name] = grpc.makeClientConstructor(definition, fullName);
  }
  cached = services as unknown as NetspanV1;
  return cached;
}
