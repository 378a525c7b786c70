"""The console's AWS infrastructure as a CDK v2 app: one environment-agnostic stack per stage.

stages.py holds every size and threshold; stack.py builds the stack from a Stage; app.py (beside this
package) synthesizes every stage to cdk.out/.
"""

import os

# jsii (the bridge to the CDK's JavaScript) prints a banner on Node 20, the machines' node, on every
# start. The CDK still runs on it; a newer node (22, 24) is the fix. Quiet only that banner.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
