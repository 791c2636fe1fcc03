package com.twingate.gateway.testkit.kubeapi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

/**
 * Request bodies in Kubernetes' protobuf encoding ({@code application/vnd.kubernetes.protobuf}, which
 * kubectl 1.33 uses to create config maps): the magic {@code k8s\0}, then a {@code runtime.Unknown}
 * whose {@code raw} is the object's own message. Turned into the JSON object the stand-in stores, for
 * the kinds it knows how to read: {@code ConfigMap}.
 */
final class ProtobufBodies {

    static final String CONTENT_TYPE = "application/vnd.kubernetes.protobuf";
    private static final byte[] MAGIC = "k8s\0".getBytes(StandardCharsets.US_ASCII);

    private ProtobufBodies() {}

    static ObjectNode object(byte[] body) {
        if (body.length < MAGIC.length || !Arrays.equals(body, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw ApiError.badRequest("the protobuf body does not start with the k8s\\0 envelope");
        }
        try {
            Runtime.Unknown envelope = Runtime.Unknown.parseFrom(ByteBuffer.wrap(body, MAGIC.length, body.length - MAGIC.length));
            String kind = envelope.getTypeMeta().getKind();
            if (!kind.equals("ConfigMap")) {
                throw ApiError.unsupportedMediaType(CONTENT_TYPE + " for " + kind + " (the stand-in reads ConfigMap only)");
            }
            return configMap(envelope.getTypeMeta(), V1.ConfigMap.parseFrom(envelope.getRaw()));
        } catch (InvalidProtocolBufferException e) {
            throw ApiError.badRequest("the protobuf body does not parse: " + e.getMessage());
        }
    }

    private static ObjectNode configMap(Runtime.TypeMeta type, V1.ConfigMap map) {
        ObjectNode object = ObjectStore.newObject();
        object.put("apiVersion", type.getApiVersion().isEmpty() ? "v1" : type.getApiVersion());
        object.put("kind", type.getKind());
        object.set("metadata", metadata(map.getMetadata()));
        if (map.getDataCount() > 0) {
            ObjectNode data = object.putObject("data");
            map.getDataMap().forEach(data::put);
        }
        if (map.getBinaryDataCount() > 0) {
            ObjectNode binary = object.putObject("binaryData");
            map.getBinaryDataMap().forEach((key, value) -> binary.put(key, Base64.getEncoder().encodeToString(value.toByteArray())));
        }
        if (map.hasImmutable()) {
            object.put("immutable", map.getImmutable());
        }
        return object;
    }

    /** What a client may set in metadata; the rest (uid, resourceVersion, timestamps) is the server's. */
    private static ObjectNode metadata(Meta.ObjectMeta meta) {
        ObjectNode metadata = ObjectStore.newObject();
        putIfSet(metadata, "name", meta.getName());
        putIfSet(metadata, "generateName", meta.getGenerateName());
        putIfSet(metadata, "namespace", meta.getNamespace());
        putMap(metadata, "labels", meta.getLabelsMap());
        putMap(metadata, "annotations", meta.getAnnotationsMap());
        return metadata;
    }

    private static void putIfSet(ObjectNode node, String field, String value) {
        if (!value.isEmpty()) {
            node.put(field, value);
        }
    }

    private static void putMap(ObjectNode node, String field, Map<String, String> values) {
        if (!values.isEmpty()) {
            ObjectNode map = node.putObject(field);
            values.forEach(map::put);
        }
    }
}
