# Sourced by the launcher (../archway) and by the container image's build
# (../deploy/image/train-archive.sh): how a start of Archway on a given JDK maps a class-data archive
# trained once by a real start-up, so that both make and use it the same way (docs/PERFORMANCE.md,
# start-up).
#
# The ~4,000 classes a run loads (fabric8 model, Jackson, YAML, admission, translator, Netty) are
# archived by a training run, a `serve` start-up of archway-cli/training that exits once ready, and
# then mapped at start-up instead of being loaded and verified one by one. On JDK 17 to 24 that is an
# AppCDS archive (-XX:ArchiveClassesAtExit); on JDK 25 and later an AOT cache (JEP 483/514/515: classes
# loaded and linked, and the training run's method profiles, -XX:AOTCacheOutput).
#
# On JDK 25 and later the training, once ready, also sends requests through its listener (HTTP/1.1
# and h2c, to a backend in the training process on 127.0.0.1:29001; ARCHWAY_TRAINING_REQUESTS of
# them, 0 for none) so that the AOT cache's method profiles cover the request path and a started
# gateway compiles it sooner (docs/PERFORMANCE.md, "Warm-up, session 10": a quarter to a third fewer
# compilations in the first 20 s under load, for about 15-20 s more CPU once per build). It then goes
# on in rounds until the JIT compiler has settled, at most ARCHWAY_TRAINING_MAX_REQUESTS requests in
# all, so that the cache holds a warmed-up gateway's compilations, the event loop's own methods'
# included, and a started one compiles less once it serves (docs/PERFORMANCE.md, "The training runs
# until the JIT settles": about 12 s more on 2 cores). Where its ports are taken, the training falls
# back to the start-up alone. (AppCDS keeps no profiles.)

# archive_options MAJOR ARCHIVE: for the JDK of feature version MAJOR and an archive at ARCHIVE (a
# path as that JVM sees it, without suffix), sets
#   JVM_OPTS       options every start on that JDK takes, archive or not
#   ARCHIVE_FILE   ARCHIVE with the suffix of that JDK's kind of archive (.aot or .jsa)
#   RECORD_OPTS    what makes the training run write ARCHIVE_FILE
#   CHECK_OPTS     what maps ARCHIVE_FILE or fails the start (mode "on": no silent run without it)
#   SHARE_OPTS     what a start maps ARCHIVE_FILE with
#   TRAIN_TRAFFIC  the training's extra arguments
archive_options() {
  local major=$1 archive=$2
  JVM_OPTS=() TRAIN_TRAFFIC=()
  # JDK 24 and later warn on every start when a library calls sun.misc.Unsafe's memory-access
  # methods (JEP 498; protobuf, under CEL, does). Allowing them keeps what JDK 17 does, without the
  # warning; the option does not exist before JDK 23. (Netty's native library: the jar's
  # Enable-Native-Access.)
  if (( major >= 24 )); then
    JVM_OPTS+=(--sun-misc-unsafe-memory-access=allow)
  fi
  if (( major >= 25 )); then
    ARCHIVE_FILE="$archive.aot"
    RECORD_OPTS=(-XX:AOTCacheOutput="$ARCHIVE_FILE")
    CHECK_OPTS=(-XX:AOTCache="$ARCHIVE_FILE" -XX:AOTMode=on)
    TRAIN_TRAFFIC=(--training-requests "${ARCHWAY_TRAINING_REQUESTS:-20000}")
    if [[ ${ARCHWAY_TRAINING_REQUESTS:-20000} != 0 ]]; then
      TRAIN_TRAFFIC+=(--training-max-requests "${ARCHWAY_TRAINING_MAX_REQUESTS:-250000}")
    fi
    # With the cache's training data a method the training compiled is compiled again as soon as the
    # interpreter first reports it (every 128 calls or 1,024 loop iterations), and taken to C2 at its
    # first report from that C1 code (every 2,048 calls), thresholds aside, however little this run
    # uses it: a start-up's JIT threads took more CPU than its own (docs/PERFORMANCE.md, "Start-up,
    # session 11"). Reports every 1,024 and 32,768 calls (8,192 and 262,144 iterations) halve that,
    # and a method called per request still reaches C2 within seconds under load (ARCHWAY_JAVA_OPTS
    # can set them back). The training run keeps the defaults: trained with these, no start was faster.
    SHARE_OPTS=(-XX:AOTCache="$ARCHIVE_FILE" -XX:Tier0InvokeNotifyFreqLog=10
      -XX:Tier0BackedgeNotifyFreqLog=13 -XX:Tier2InvokeNotifyFreqLog=15 -XX:Tier2BackedgeNotifyFreqLog=18)
  else
    ARCHIVE_FILE="$archive.jsa"
    RECORD_OPTS=(-XX:ArchiveClassesAtExit="$ARCHIVE_FILE")
    CHECK_OPTS=(-XX:SharedArchiveFile="$ARCHIVE_FILE" -Xshare:on)
    SHARE_OPTS=(-XX:SharedArchiveFile="$ARCHIVE_FILE")
  fi
}

# train_archive CONFIG JAVA... -- APP...: writes ARCHIVE_FILE (archive_options first) by a training
# run, `JAVA JVM_OPTS RECORD_OPTS APP serve --config CONFIG ...` exiting once ready, then checks that
# a start with CHECK_OPTS maps it. JAVA is the command that runs the JVM (a path, or a chroot and
# one), APP what follows the JVM's options (-jar JAR, or -cp PATH CLASS). Fails when no usable
# archive came of it: a training run can exit 0 without one (JDK 25.0.3 leaves an empty AOT cache
# when the cache's assembly crashes). Output goes to the file ARCHWAY_TRAIN_LOG (default: discarded).
train_archive() {
  local config=$1 java=() app=() train
  shift
  while [[ $1 != -- ]]; do java+=("$1"); shift; done
  shift
  app=("$@")
  train=(serve --config "$config" --address 127.0.0.1 --admin 127.0.0.1:0 --drain-timeout 0s --exit-when-ready)
  local log=${ARCHWAY_TRAIN_LOG:-/dev/null}
  { "${java[@]}" "${JVM_OPTS[@]}" "${RECORD_OPTS[@]}" "${app[@]}" "${train[@]}" "${TRAIN_TRAFFIC[@]}" >"$log" 2>&1 \
      || { (( ${#TRAIN_TRAFFIC[@]} )) \
           && "${java[@]}" "${JVM_OPTS[@]}" "${RECORD_OPTS[@]}" "${app[@]}" "${train[@]}" >>"$log" 2>&1; }; } \
    && "${java[@]}" "${JVM_OPTS[@]}" "${CHECK_OPTS[@]}" "${app[@]}" --version >>"$log" 2>&1
}
