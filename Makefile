# sam build runs these (template.yaml: Metadata BuildMethod makefile) in a copy of this directory,
# one target per function, each with ARTIFACTS_DIR set to that function's build directory. Both
# functions deploy the same task root: the one jar that ./mvnw package shrinks into target/task-root
# (pom.xml, "The deployment package"), which TaskRootIT runs both functions from. Needs make and a
# JDK 21 or newer; the tests are run by ./mvnw verify, not here.

.PHONY: build-SubmitFunction build-PollFunction task-root

build-SubmitFunction build-PollFunction: task-root
	cp -R target/task-root/. "$(ARTIFACTS_DIR)"

task-root:
	./mvnw -B -q -Dmaven.test.skip=true clean package
