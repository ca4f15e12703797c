package dev.metacluster.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.zjsonpatch.JsonDiff;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;

/**
 * The fabric8 mock API server's CRUD dispatcher, taught the server-side apply PATCH ({@code
 * application/apply-patch+yaml}) that JOSDK 5 uses for dependents and for the primary's status. Out
 * of the box the mock answers such a PATCH with 404 (object missing) or 415 (object present).
 *
 * <p>It also removes an object marked for deletion once a PATCH or PUT takes its last finalizer
 * away, as a real API server does (the mock alone keeps it, with its deletionTimestamp, forever).
 *
 * <p>What it does: an apply to a missing object creates it (as a POST to its collection would); an
 * apply to an existing object merges the applied object into the stored one (RFC 7386 JSON merge
 * patch: objects key by key, lists replaced), for the object itself and for its {@code /status}
 * subresource; an apply to the status of a missing object is 404, as on a real server. Everything
 * else (watch, status subresource, generation, resourceVersion conflicts when the applied object
 * names one) is the CRUD dispatcher's own behaviour.
 *
 * <p>What it does not do, compared with a real API server (docs/TESTING.md keeps this list):
 *
 * <ul>
 *   <li>no field ownership: no {@code metadata.managedFields}, no field managers, so no apply
 *       conflicts and no {@code force}; JOSDK's SSA matcher finds no managed fields for its manager
 *       and re-applies on every reconcile, which is harmless here because an identical merge
 *       changes nothing (no new resourceVersion, no watch event);
 *   <li>fields the applier stops setting are not removed (a merge keeps them); lists are replaced
 *       whole rather than merged by their keys ({@code x-kubernetes-list-map-keys});
 *   <li>no defaulting, no schema or CEL validation, no immutability checks (a changed StatefulSet
 *       selector or volume claim template is accepted);
 *   <li>an apply racing with a plain create of the same object may get 409 instead of merging.
 * </ul>
 */
public class ServerSideApplyDispatcher extends KubernetesCrudDispatcher {
  static final String APPLY_PATCH = "application/apply-patch+yaml";
  static final String JSON_PATCH = "application/json-patch+json";

  /** Serializes applies so "missing, so create" and "present, so merge" see a stable store. */
  private final Object applyLock = new Object();

  @Override
  public MockResponse handlePatch(RecordedRequest request) {
    String contentType = request.getHeader("Content-Type");
    if (contentType == null || !contentType.startsWith(APPLY_PATCH)) {
      return finishDeletion(request.getPath(), super.handlePatch(request));
    }
    String body = request.getBody().readUtf8();
    synchronized (applyLock) {
      return apply(request, body);
    }
  }

  private MockResponse apply(RecordedRequest request, String body) {
    String path = request.getPath();
    int q = path.indexOf('?');
    if (q >= 0) {
      path = path.substring(0, q);
    }
    boolean status = path.endsWith("/status");
    String objectPath = status ? path.substring(0, path.length() - "/status".length()) : path;

    JsonNode applied;
    try {
      // YAML is a superset of JSON; fabric8 sends JSON, kubectl may send YAML
      applied =
          Serialization.jsonMapper()
              .valueToTree(Serialization.unmarshal(body, GenericKubernetesResource.class));
    } catch (RuntimeException e) {
      return new MockResponse().setResponseCode(400).setBody("invalid apply body: " + e);
    }
    if (applied instanceof ObjectNode o && o.path("metadata").isObject()) {
      // a real server ignores managedFields in an apply body unless they are being cleared
      ((ObjectNode) o.get("metadata")).remove("managedFields");
    }

    MockResponse existing = handleGet(objectPath);
    if (existing.code() == HttpURLConnection.HTTP_NOT_FOUND) {
      if (status) {
        return existing;
      }
      String collection = objectPath.substring(0, objectPath.lastIndexOf('/'));
      return handleCreate(request("POST", collection, null, applied.toString()));
    }
    // RFC 7386 merge done here (the mock's own merge patch appends to lists), handed to the CRUD
    // dispatcher as the equivalent JSON patch so it keeps its status, generation and event rules;
    // the path loses its query (fieldManager, force), as the dispatcher spots /status only without
    JsonNode current = Serialization.unmarshal(existing.getBody().readUtf8(), JsonNode.class);
    JsonNode merged = mergePatch(current, applied);
    JsonNode diff = JsonDiff.asJson(current, merged);
    if (diff.isEmpty()) {
      return new MockResponse()
          .setResponseCode(HttpURLConnection.HTTP_OK)
          .setBody(current.toString());
    }
    return super.handlePatch(request("PATCH", path, JSON_PATCH, diff.toString()));
  }

  @Override
  public MockResponse handleUpdate(RecordedRequest request) {
    return finishDeletion(request.getPath(), super.handleUpdate(request));
  }

  /**
   * An object marked for deletion goes once its last finalizer is removed, as on a real server (the
   * mock only checks finalizers on DELETE).
   */
  private MockResponse finishDeletion(String path, MockResponse response) {
    if (response.code() != HttpURLConnection.HTTP_OK || response.getBody() == null) {
      return response;
    }
    String body = response.getBody().readUtf8();
    MockResponse copy = new MockResponse().setResponseCode(response.code()).setBody(body);
    GenericKubernetesResource object;
    try {
      object = Serialization.unmarshal(body, GenericKubernetesResource.class);
    } catch (RuntimeException notAnObject) {
      return copy;
    }
    if (object.getMetadata() != null
        && object.getMetadata().getDeletionTimestamp() != null
        && object.getFinalizers().isEmpty()) {
      int q = path.indexOf('?');
      String objectPath = q >= 0 ? path.substring(0, q) : path;
      if (objectPath.endsWith("/status")) {
        objectPath = objectPath.substring(0, objectPath.length() - "/status".length());
      }
      handleDelete(objectPath);
    }
    return copy;
  }

  /** RFC 7386 JSON merge patch: objects merge key by key, null removes, anything else replaces. */
  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    ObjectNode result =
        target != null && target.isObject()
            ? ((ObjectNode) target).deepCopy()
            : Serialization.jsonMapper().createObjectNode();
    patch
        .fields()
        .forEachRemaining(
            e -> {
              if (e.getValue().isNull()) {
                result.remove(e.getKey());
              } else {
                result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
              }
            });
    return result;
  }

  private static RecordedRequest request(
      String method, String path, String contentType, String body) {
    Headers.Builder headers = Headers.builder();
    headers.add("Content-Type", contentType == null ? "application/json" : contentType);
    return new RecordedRequest(
        "HTTP/1.1",
        HttpMethod.valueOf(method),
        path,
        headers.build(),
        new Buffer(body.getBytes(StandardCharsets.UTF_8)));
  }
}
