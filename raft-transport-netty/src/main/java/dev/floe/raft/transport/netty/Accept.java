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

/**
 * The acceptor's answer to a handshake of version 5 or later that it accepts: the protocol version
 * the connection speaks from now on (the highest both sides speak), and who accepted it, so that
 * the dialer can tell that it reached the node it meant to.
 *
 * @param version the version the connection speaks
 * @param nodeId the acceptor's node id
 */
record Accept(int version, NodeId nodeId) {}
