/*
 * Copyright The Floe authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package dev.floe.raft.transport.netty;

import dev.floe.raft.cluster.NodeId;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which node ids a TLS certificate names: every subject alternative name of type URI that reads
 * {@code floe:node:<id>}. With mutual TLS, a connection is served only if the certificate of the
 * other end names the node it claims to be (the acceptor checks the dialer's handshake against it)
 * or the node the dialer meant to reach (the dialer checks the acceptor's certificate).
 *
 * <p>A URI, not a DNS name, because a node id is not a host name: ids may contain {@code '_'} and
 * need not resolve, a node keeps its id when it moves to another host, and the DNS and IP names
 * of the same certificate stay free for host-name verification. The CN is not read (RFC 6125
 * deprecates it for identity).
 */
final class NodeIdentity {
  /** The prefix of a node's URI subject alternative name. */
  static final String URI_PREFIX = "floe:node:";
  private static final int SAN_URI = 6;

  private NodeIdentity() {}

  /** Returns the URI that names {@code id}: {@code floe:node:<id>}. */
  static String uriOf(NodeId id) {
    return URI_PREFIX + id.value();
  }

  /**
   * Returns the node ids {@code certificate} names, sorted; empty if it names none (or is not an
   * X.509 certificate).
   */
  static Set<NodeId> named(Certificate certificate) {
    Set<NodeId> ids = new TreeSet<>();
    if (!(certificate instanceof X509Certificate x509)) {
      return ids;
    }
    Collection<List<?>> names;
    try {
      names = x509.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return ids;
    }
    if (names == null) {
      return ids;
    }
    for (List<?> name : names) {
      if (name.size() >= 2 && Integer.valueOf(SAN_URI).equals(name.get(0))
          && name.get(1) instanceof String uri && uri.startsWith(URI_PREFIX)) {
        try {
          ids.add(NodeId.of(uri.substring(URI_PREFIX.length())));
        } catch (IllegalArgumentException e) {
          // not a valid node id: names no node
        }
      }
    }
    return ids;
  }

  /**
   * Describes what {@code certificate} names, for errors: {@code "names node n2"}, {@code "names
   * nodes n1, n2"} or {@code "names no node (no subject alternative name floe:node:<id>)"}, with
   * its subject.
   */
  static String describe(Certificate certificate) {
    Set<NodeId> ids = named(certificate);
    String subject = certificate instanceof X509Certificate x
        ? " (subject " + x.getSubjectX500Principal().getName() + ")" : "";
    if (ids.isEmpty()) {
      return "names no node (no subject alternative name " + URI_PREFIX + "<id>)" + subject;
    }
    StringBuilder b = new StringBuilder(ids.size() == 1 ? "names node " : "names nodes ");
    String sep = "";
    for (NodeId id : ids) {
      b.append(sep).append(id);
      sep = ", ";
    }
    return b.append(subject).toString();
  }
}
